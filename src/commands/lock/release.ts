import {Args, Flags} from '@oclif/core';
import {lockRelease, type LockReleaseResult} from '../../core/admin/index.js';
import {UsageError} from '../../core/errors.js';
import {XarbCommand} from '../../cli/base-command.js';

export type {LockReleaseResult} from '../../core/admin/index.js';

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
    const result = lockRelease({db: ctx.db, clock: ctx.clock}, args.name, {force: flags.force, reason: flags.reason});
    const {holder} = result;
    this.out(holder ? `released ${args.name} (was held by pid ${holder.pid} on ${holder.host} since ${holder.acquiredAt})` : `${args.name} was not held; nothing to do`);
    return result;
  }
}
