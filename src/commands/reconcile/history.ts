import {reconcileHistory, type HistoryResult} from '../../core/reconcile/history.js';
import {XarbCommand} from '../../cli/base-command.js';
import {integerFlag} from '../../cli/flags.js';
import {renderTable} from '../../ui/table.js';

export type {HistoryResult} from '../../core/reconcile/history.js';

export default class ReconcileHistory extends XarbCommand<HistoryResult> {
  static override summary = 'Past reconcile runs and the discrepancies still open';
  static override examples = ['<%= config.bin %> reconcile history', '<%= config.bin %> reconcile history --limit 50 --json'];
  static override description = 'Newest runs first, with their status and exit code, followed by the discrepancies that are still open across runs. Times are UTC.';

  static override flags = {
    limit: integerFlag({description: 'how many runs to list (newest first)', default: 20, min: 1}),
  };

  async run(): Promise<HistoryResult> {
    const {flags} = await this.parse(ReconcileHistory);
    const ctx = await this.context();
    const result = reconcileHistory(ctx.db, ctx.clock, {limit: flags.limit});
    this.render(result);
    return result;
  }

  private render(result: HistoryResult): void {
    if (this.jsonEnabled()) return;
    const c = this.chalk;
    if (result.runs.length === 0) {
      this.out('no reconcile runs yet; run `xarb reconcile`');
      return;
    }
    const lines = [
      renderTable({
        head: ['run', 'started', 'status', 'exit', 'fix', 'venues', 'discrepancies', 'repaired', 'failed venues'],
        rows: result.runs.map((r) => [
          r.run,
          r.startedAt,
          r.status === 'in_line' || r.status === 'repaired' ? c.green(r.status) : r.status === 'discrepancies' ? c.yellow(r.status) : c.red(r.status),
          r.exitCode ?? '-',
          r.fix ? 'yes' : 'no',
          r.venues.join(','),
          r.discrepancies,
          r.repaired,
          r.failedVenues.join(',') || '-',
        ]),
        color: this.color,
      }),
    ];
    if (result.open.length === 0) lines.push(c.green('no open discrepancies'));
    else {
      lines.push(`${result.open.length} open discrepanc${result.open.length === 1 ? 'y' : 'ies'}:`);
      lines.push(
        renderTable({
          head: ['id', 'run', 'venue', 'kind', 'ref', 'journal', 'venue says', 'detail'],
          rows: result.open.map((d) => [d.id, d.run, d.venue, d.kind, d.ref, d.journal ?? '-', d.venueValue ?? '-', d.detail ?? '']),
          color: this.color,
        }),
      );
    }
    this.out(lines.join('\n'));
  }
}
