import {hostname} from 'node:os';
import {Args, Flags} from '@oclif/core';
import {LockHeldError, UsageError} from '../../core/errors.js';
import {lockStatus, readLock, releaseLock} from '../../core/journal/index.js';
import {XarbCommand} from '../../cli/base-command.js';

export interface LockReleaseResult {
  readonly name: string;
  /** False when the lock was not held (nothing to do). */
  readonly released: boolean;
  readonly holder: {readonly pid: number; readonly host: string; readonly acquiredAt: string; readonly leaseUntil: string} | null;
}

export default class LockRelease extends XarbCommand<LockReleaseResult> {
  static override demoNotice = false;
  static override summary = 'Free a lock now (journalled as a lock.released event)';
  static override description = `For a lock left by a run that will not come back, when waiting for its lease to run out is not wanted. A lock held by a live process on this host within its lease is refused (exit 6) unless --force: two runs at once is what the lock prevents. Releasing a lock that is not held succeeds and changes nothing.`;
  static override examples = ['<%= config.bin %> lock release reconcile', '<%= config.bin %> lock release rebalance --reason "host replaced"'];
  static override args = {name: Args.string({description: 'the lock, e.g. reconcile or rebalance', required: true})};
  static override flags = {
    reason: Flags.string({description: 'why (kept in the journal)'}),
    force: Flags.boolean({description: 'release even a lock a live process on this host holds'}),
  };

  async run(): Promise<LockReleaseResult> {
    const {args, flags} = await this.parse(LockRelease);
    if (!/^[a-z0-9][a-z0-9_-]{0,39}$/.test(args.name)) throw new UsageError(`bad lock name ${JSON.stringify(args.name.slice(0, 40))}`, 'see `xarb lock list`');
    const ctx = await this.context();
    const current = readLock(ctx.db, args.name);
    if (current && !flags.force && current.host === hostname() && lockStatus(current, {clock: ctx.clock}) === 'held') {
      throw new LockHeldError(args.name, `pid ${current.pid} on this host, alive, lease until ${new Date(current.leaseUntil).toISOString()}; add --force to release it anyway`);
    }
    const holder = releaseLock(ctx.db, args.name, {clock: ctx.clock, reason: flags.reason});
    this.out(holder ? `released ${args.name} (was held by pid ${holder.pid} on ${holder.host} since ${new Date(holder.acquiredAt).toISOString()})` : `${args.name} was not held; nothing to do`);
    return {
      name: args.name,
      released: holder !== undefined,
      holder: holder ? {pid: holder.pid, host: holder.host, acquiredAt: new Date(holder.acquiredAt).toISOString(), leaseUntil: new Date(holder.leaseUntil).toISOString()} : null,
    };
  }
}
