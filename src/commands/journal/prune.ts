import {pruneJournal, type JournalPruneResult} from '../../core/admin/index.js';
import {XarbCommand} from '../../cli/base-command.js';
import {renderTable} from '../../ui/table.js';

export type {JournalPruneResult} from '../../core/admin/index.js';

export default class JournalPrune extends XarbCommand<JournalPruneResult> {
  static override demoNotice = false;
  static override summary = 'Delete price, arb-observation, latency and balance history older than the retention settings';
  static override description = `Retention (days; 0 keeps forever) comes from config: journal.retention.priceSnapshotsDays (default 30), arbObservationsDays (30), latencyDays (7), balanceSnapshotsDays (365; the newest good snapshot of each venue is always kept). Orders, fills, events, risk state, reconcile runs and transfers are never pruned. xarb also prunes by itself at most once a day unless journal.autoPrune is false. The file does not shrink until SQLite reuses the freed pages; \`xarb journal backup\` writes a compacted copy.`;
  static override examples = ['<%= config.bin %> journal prune', '<%= config.bin %> config set journal.retention.priceSnapshotsDays 7'];

  async run(): Promise<JournalPruneResult> {
    await this.parse(JournalPrune);
    const ctx = await this.context();
    ctx.autoPrune = false;
    const result = pruneJournal({db: ctx.db, clock: ctx.clock}, ctx.retention);
    this.out(
      renderTable({
        head: ['table', 'deleted', 'older than (UTC)'],
        rows: Object.entries(result.deleted).map(([table, n]) => [table, n, result.cutoffs[table] ?? result.cutoffs[table.startsWith('balance_') ? 'balance_runs' : table] ?? 'kept forever']),
        align: ['left', 'right', 'left'],
        color: this.color,
      }),
    );
    return result;
  }
}
