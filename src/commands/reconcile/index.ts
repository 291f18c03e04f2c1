import {Flags} from '@oclif/core';
import {reconcile, type ReconcileResult, type VenueReconcileReport} from '../../core/reconcile/reconcile.js';
import {XarbCommand} from '../../cli/base-command.js';
import {durationFlag, sinceFlag, sinceTime, venuesFlag} from '../../cli/flags.js';
import {renderTable} from '../../ui/table.js';
import {withIsoTimes} from '../../ui/json.js';

export type {ReconcileResult} from '../../core/reconcile/reconcile.js';

export default class Reconcile extends XarbCommand<ReconcileResult> {
  static override summary = 'Prove the journal and the venues agree (safe from cron)';
  static override description = `For each venue (in parallel) reads open orders, closed orders and trades since the last reconciled
watermark (minus an overlap) and the balances, compares them with the journal and reports every discrepancy with the
journal's value and the venue's value. Without --fix nothing in the journal changes except the run record.
With --fix the venue is the truth: interrupted orders are resolved by their clientOrderId, orders and fills found only
on the venue are imported as external, statuses and fills are updated, and every change is recorded as an event.
Reconcile never sends, cancels or changes anything on a venue.

Own transfers (rebalance) are counted in the balance check; an asset a transfer in flight may still move is compared
once it settles. A discrepancy a person has checked can be acknowledged (\`xarb reconcile ack ID --note ...\`): it is
still reported but no longer sets the exit code.

Exit codes: 0 in line (after --fix: everything repaired; acknowledged discrepancies do not count), 5 discrepancies remain, 4 a venue could not be read
(the others are still reconciled), 6 another reconcile is running.`;

  static override examples = [
    '<%= config.bin %> reconcile',
    '<%= config.bin %> reconcile --fix',
    '<%= config.bin %> reconcile --venues binance,kraken --since 7d --json',
    '*/5 * * * * XARB_HOME=$HOME/.xarb <%= config.bin %> reconcile --json >> $HOME/reconcile.log 2>> $HOME/reconcile.err',
  ];

  static override flags = {
    venues: venuesFlag(),
    since: sinceFlag({description: 'compare from this far back (7d, 12h) or this date (UTC unless an offset is given) instead of each venue\'s watermark'}),
    fix: Flags.boolean({description: 'bring the journal in line with the venues (the venue is the truth)', default: false}),
    grace: durationFlag({description: 'pending orders touched more recently than this are in flight (another xarb may be placing them) and left alone', default: '60s'}),
  };

  async run(): Promise<ReconcileResult> {
    const {flags} = await this.parse(Reconcile);
    const ctx = await this.context();
    const since = flags.since === undefined ? undefined : sinceTime(flags.since, ctx.clock.now());
    const venues = ctx.selectVenues(flags.venues);
    const progress = this.progress(venues);
    let result: ReconcileResult;
    try {
      result = await reconcile({
        db: ctx.db,
        clock: ctx.clock,
        venues,
        openVenue: (name) => ctx.venue(name),
        fix: flags.fix,
        since,
        graceMs: flags.grace,
        requestTimeoutMs: (name) => ctx.config.venues[name]?.timeoutMs,
        onProgress: progress.update,
        alerts: ctx.alerts,
      });
    } finally {
      progress.stop();
    }
    this.render(result);
    return result;
  }

  /** One JSON document per run, on one line, so `--json >> reconcile.log` is a JSON Lines file. */
  override logJson(json: unknown): void {
    if (this.streamedJson) return;
    process.stdout.write(`${JSON.stringify(withIsoTimes(json))}\n`);
  }

  /** A one-line progress indicator on stderr, only on a terminal and never under --json. */
  private progress(venues: readonly string[]): {update: (venue: string, phase: 'start' | 'done') => void; stop: () => void} {
    if (!process.stderr.isTTY || this.jsonEnabled()) return {update: () => undefined, stop: () => undefined};
    let done = 0;
    const draw = () => process.stderr.write(`\r\u001b[2Kreconciling ${done}/${venues.length} venues...`);
    draw();
    return {
      update: (_venue, phase) => {
        if (phase === 'done') done++;
        draw();
      },
      stop: () => process.stderr.write('\r\u001b[2K'),
    };
  }

  private render(result: ReconcileResult): void {
    if (this.jsonEnabled()) return;
    const c = this.chalk;
    const statusText = (v: VenueReconcileReport) =>
      v.status === 'in_line' ? c.green('in line') : v.status === 'repaired' ? c.green('repaired') : v.status === 'failed' ? c.red('FAILED') : c.yellow('DISCREPANCIES');
    const lines: string[] = [];
    lines.push(
      renderTable({
        head: ['venue', 'mode', 'status', 'orders', 'fills', 'balances', 'discrepancies', 'repaired', 'in flight', 'since'],
        rows: result.venues.map((v) => [
          v.venue,
          v.mode ?? '-',
          statusText(v),
          v.ordersSynced,
          v.fillsSynced,
          v.balancesChecked,
          v.discrepancies.length,
          v.repaired,
          v.inFlight.length,
          v.since ?? 'all history',
        ]),
        align: ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
        color: this.color,
      }),
    );
    const rows = result.venues.flatMap((v) =>
      v.discrepancies.map((d) => [d.id, v.venue, d.kind, d.ref, d.symbol ?? '', d.journal ?? '-', d.venue ?? '-', d.fixed ? c.green('fixed') : d.acknowledged ? 'acknowledged' : d.repairable ? 'open' : c.yellow('needs a person'), d.detail ?? '']),
    );
    if (rows.length > 0) {
      lines.push(
        renderTable({head: ['id', 'venue', 'kind', 'ref', 'symbol', 'journal', 'venue says', 'state', 'detail'], rows, color: this.color}),
      );
    }
    for (const v of result.venues) {
      if (v.error) lines.push(`${c.red(v.venue)}: ${v.error.message}`);
      if (v.balanceNote) lines.push(`${v.venue}: balances ${v.balanceNote}`);
      if (v.marketNote) lines.push(`${v.venue}: markets ${v.marketNote}`);
    }
    if (result.interruptedRuns.length > 0) lines.push(`earlier run(s) ${result.interruptedRuns.join(', ')} had been interrupted; this run completed the work`);
    const open = result.totals.open;
    const verdict =
      open > 0
        ? c.yellow(`${open} discrepancie${open === 1 ? '' : 's'} open${result.fix ? '' : '; run `xarb reconcile --fix` to bring the journal in line with the venues, or `xarb reconcile ack ID --note ...` for one a person has checked'}`)
        : result.totals.failed > 0
          ? c.red(`${result.totals.failed} venue(s) could not be read; the others are in line`)
          : result.totals.repaired > 0
            ? c.green(`repaired ${result.totals.repaired}; journal and venues are in line`)
            : c.green('journal and venues are in line');
    lines.push(`run ${result.run}: ${verdict} (exit ${result.exitCode})`);
    this.out(lines.join('\n'));
  }
}
