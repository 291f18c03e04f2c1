import {reconcileRunDetail, type RunDetail} from '../../core/reconcile/history.js';
import {XarbCommand} from '../../cli/base-command.js';
import {integerArg} from '../../cli/flags.js';
import {renderTable} from '../../ui/table.js';

export type {RunDetail} from '../../core/reconcile/history.js';

export default class ReconcileShow extends XarbCommand<RunDetail> {
  static override summary = 'One reconcile run: per-venue results and every discrepancy';
  static override examples = ['<%= config.bin %> reconcile show 12', '<%= config.bin %> reconcile show 12 --json'];
  static override description = 'Shows what a past run compared on each venue and every discrepancy it found, with the journal\'s value, the venue\'s value and whether --fix repaired it.';

  static override args = {run: integerArg('run number')({description: 'run number (see `xarb reconcile history`)', required: true})};

  async run(): Promise<RunDetail> {
    const {args} = await this.parse(ReconcileShow);
    const ctx = await this.context();
    const detail = reconcileRunDetail(ctx.db, ctx.clock, args.run);
    this.render(detail);
    return detail;
  }

  private render(d: RunDetail): void {
    if (this.jsonEnabled()) return;
    const lines = [
      `run ${d.run}: ${d.status}${d.exitCode === null ? '' : ` (exit ${d.exitCode})`}, ${d.fix ? 'with --fix' : 'report only'}, started ${d.startedAt}${d.finishedAt ? `, finished ${d.finishedAt}` : ''}, pid ${d.pid} on ${d.host}`,
      renderTable({
        head: ['venue', 'status', 'since', 'orders', 'fills', 'balances', 'in flight', 'discrepancies', 'repaired', 'watermark', 'error'],
        rows: d.results.map((r) => [r.venue, r.status, r.since ?? 'all history', r.ordersSynced, r.fillsSynced, r.balancesChecked, r.inFlight, r.discrepancies, r.repaired, r.watermark ?? '-', r.error ?? '']),
        color: this.color,
      }),
    ];
    if (d.discrepancyList.length > 0) {
      lines.push(
        renderTable({
          head: ['id', 'venue', 'kind', 'ref', 'symbol', 'journal', 'venue says', 'state', 'detail'],
          rows: d.discrepancyList.map((x) => [x.id, x.venue, x.kind, x.ref, x.symbol ?? '', x.journal ?? '-', x.venueValue ?? '-', x.fixed ? 'fixed' : x.acknowledged ? 'acknowledged' : x.repairable ? 'open' : 'needs a person', x.detail ?? '']),
          color: this.color,
        }),
      );
    }
    this.out(lines.join('\n'));
  }
}
