import {lockList, type LockListItem} from '../../core/admin/index.js';
import {XarbCommand} from '../../cli/base-command.js';
import {renderTable} from '../../ui/table.js';

export type {LockListItem} from '../../core/admin/index.js';

export interface LockListResult {
  readonly locks: readonly LockListItem[];
}

export default class LockList extends XarbCommand<LockListResult> {
  static override demoNotice = false;
  static override summary = 'List the locks held in the journal (reconcile, rebalance): by whom, since when, lease';
  static override description = `A run holds its lock for a lease it renews while it works. A lock whose lease ran out (its holder vanished, e.g. a killed container) or whose process on this host is gone is taken over by the next run; \`xarb lock release NAME\` frees one at once. Times are UTC.`;
  static override examples = ['<%= config.bin %> lock list', '<%= config.bin %> lock list --json'];

  async run(): Promise<LockListResult> {
    await this.parse(LockList);
    const ctx = await this.context();
    const locks = lockList({db: ctx.db, clock: ctx.clock});
    if (locks.length === 0) this.out('no locks held');
    else
      this.out(
        renderTable({
          head: ['lock', 'status', 'pid', 'host', 'since (UTC)', 'lease until (UTC)'],
          rows: locks.map((l) => [l.name, l.status, l.pid, l.host, l.acquiredAt, l.leaseUntil]),
          color: this.color,
        }),
      );
    return {locks};
  }
}
