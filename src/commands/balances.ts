import {Flags} from '@oclif/core';
import {ExitCode} from '../core/errors.js';
import type {BalancesResult} from '../core/portfolio/service.js';
import {balancesJson, type BalancesJson} from '../ui/portfolio-json.js';
import {journalSnapshots, loadBalanceHistory, loadBalances} from '../core/portfolio/service.js';
import type {BalanceHistory} from '../core/portfolio/history.js';
import {timeColumns} from '../core/portfolio/timeline.js';
import {lineChart} from '../ui/chart.js';
import {XarbCommand} from '../cli/base-command.js';
import {assetFlag, durationFlag, sinceFlag, sinceTime, venuesFlag} from '../cli/flags.js';
import {fmt, fmtAge, fmtAmount, fmtMoney, fmtPrice} from '../ui/format.js';
import {renderTable} from '../ui/table.js';

export type {BalancesResult} from '../core/portfolio/service.js';
export type {BalanceHistory} from '../core/portfolio/history.js';

/** The --json contract: the balances view, or with --history the series. */
export type BalancesCommandResult = ({readonly kind: 'balances'} & BalancesJson) | ({readonly kind: 'history'} & BalanceHistory);

export default class Balances extends XarbCommand<BalancesCommandResult> {
  static override summary = 'Balances per asset and venue, valued in one quote, with shares against target allocations';
  static override description = `Asks every venue in parallel. Shows free, used and total per asset per venue, totals per asset, the value of
each in --quote (priced from the venues' own books: the median of the direct markets, or a bridge such as
USDT->BTC->USD; stablecoins are priced by real markets, never assumed equal to USD), each venue's share next to its
target allocation, and free balances below their reserve (risk.reserves, kept free on each venue). A venue that fails is shown with its last
snapshot and age, and totals say they are partial. Every run journals a snapshot; --history charts the total.`;

  static override examples = [
    '<%= config.bin %> balances',
    '<%= config.bin %> balances --asset BTC --quote USDT',
    '<%= config.bin %> balances --venues simbit,simex --json',
    '<%= config.bin %> balances --history --since 7d',
  ];

  static override flags = {
    venues: venuesFlag(),
    asset: assetFlag({description: 'show only this asset'}),
    quote: assetFlag({description: 'value in this asset (default: config valuationQuote)', helpValue: 'USD'}),
    price: Flags.option({options: ['mid', 'bid'] as const, description: 'mid: (bid+ask)/2; bid: what selling at the top of the book would fetch', default: 'mid' as const})(),
    'max-age': durationFlag({description: 'quotes older than this are not used for prices', default: '5m'}),
    history: Flags.boolean({description: 'show how the total moved, from journalled snapshots (no venue is asked)', default: false}),
    since: sinceFlag({description: 'with --history: how far back (a duration, or a date: UTC unless an offset is given)', default: '7d'}),
  };

  async run(): Promise<BalancesCommandResult> {
    const {flags} = await this.parse(Balances);
    const ctx = await this.context();
    const names = ctx.selectVenues(flags.venues);
    const quote = flags.quote ?? ctx.config.valuationQuote;

    if (flags.history) {
      const history = loadBalanceHistory(ctx.db, {quote, since: sinceTime(flags.since, ctx.clock.now()), venues: flags.venues ? names : undefined, asset: flags.asset});
      this.paintHistory(history, ctx.clock.now());
      return {kind: 'history', ...history};
    }

    await this.withProgress('balances');
    const venues = await ctx.venues(names);
    await this.syncVenues(venues);
    const allocations: Record<string, number | undefined> = {};
    for (const name of names) allocations[name] = ctx.venueConfig(name).allocation;
    const result = await loadBalances(
      {venues, clock: ctx.clock, snapshots: journalSnapshots(ctx.db)},
      {quote, method: flags.price, maxAgeMs: flags['max-age'], allocations, reserves: ctx.config.risk.reserves, asset: flags.asset, allVenues: !flags.venues},
    );
    this.stopProgress();
    this.paint(result);
    if (result.exitCode === ExitCode.venueFailed) this.note('error: no venue answered; showing the last journalled snapshots\nhint: check the venues with `xarb exchanges`');
    return {kind: 'balances', ...balancesJson(result)};
  }

  private paint(r: BalancesResult): void {
    if (this.jsonEnabled()) return;
    const c = this.chalk;
    const q = r.quote;
    const lines: string[] = [];
    lines.push(c.bold(`Balances valued in ${q}`) + c.dim(` (${r.method} prices from the venues' books, ${new Date(r.asOf).toISOString().slice(0, 19).replace('T', ' ')} UTC)`));
    const rows = r.rows.map((x) => [
      x.stale ? c.yellow(`${x.venue} (stale)`) : x.venue,
      x.belowReserve ? c.red(`${x.asset} !`) : x.asset,
      x.belowReserve ? c.red(fmtAmount(x.free)) : fmtAmount(x.free),
      fmtAmount(x.used),
      fmtAmount(x.total),
      fmtPrice(x.price, q),
      x.value === undefined ? c.yellow('unpriced') : fmtMoney(x.value, q),
    ]);
    lines.push(renderTable({head: ['venue', 'asset', 'free', 'used', 'total', `price ${q}`, `value ${q}`], rows, color: this.color, compact: true, align: ['left', 'left', 'right', 'right', 'right', 'right', 'right']}));

    lines.push('', c.bold('Per asset'));
    const assets = r.assets.map((a) => [
      a.belowReserve ? c.red(`${a.asset} !`) : a.asset,
      fmtAmount(a.free),
      fmtAmount(a.used),
      fmtAmount(a.total),
      a.value === undefined ? c.yellow('unpriced') : fmtMoney(a.value, q),
      a.reserve === undefined ? '-' : a.belowReserve ? c.red(`${fmtAmount(a.reserve)}: below on ${a.venuesBelowReserve.join(', ') || 'every venue'}`) : fmtAmount(a.reserve),
      a.priceSource ?? (a.value === undefined ? c.yellow('no market path') : '-'),
    ]);
    lines.push(renderTable({head: ['asset', 'free', 'used', 'total', `value ${q}`, 'reserve', 'price source'], rows: assets, color: this.color, compact: true, align: ['left', 'right', 'right', 'right', 'right', 'right', 'left']}));

    lines.push('', c.bold('Per venue'));
    const venues = r.venues.map((v) => [
      `${v.venue}${v.simulated ? c.dim(' (sim)') : ''}`,
      v.status === 'ok' ? c.green('ok') : c.red(`failed: ${truncate(v.error ?? '', 40)}`),
      v.status === 'ok' ? fmtAge(v.ageMs) : v.asOf === undefined ? c.red('no snapshot') : c.yellow(`snapshot ${fmtAge(v.ageMs)} old`),
      fmtMoney(v.value, q) + (v.unpriced.length > 0 ? c.yellow(` +${v.unpriced.length} unpriced`) : ''),
      v.sharePct === undefined ? '-' : `${fmt(v.sharePct)}%`,
      v.targetPct === undefined ? '-' : `${fmt(v.targetPct)}%`,
      v.driftPct === undefined ? '-' : colorDrift(c, v.driftPct),
    ]);
    lines.push(renderTable({head: ['venue', 'status', 'age', `value ${q}`, 'share', 'target', 'drift'], rows: venues, color: this.color, compact: true, align: ['left', 'left', 'right', 'right', 'right', 'right', 'right']}));

    const total = `Total: ${fmtMoney(r.total.value, q)} ${q}${r.asset ? ` (${r.asset} only)` : ''}`;
    lines.push('', r.total.partial ? c.yellow(`${total} - PARTIAL`) : c.bold(total));
    for (const reason of r.total.reasons) lines.push(c.yellow(`  partial: ${reason}`));
    for (const note of r.notes) lines.push(c.dim(`  note: ${note}`));
    const below = r.assets.filter((a) => a.belowReserve).map((a) => `${a.asset} (${a.venuesBelowReserve.join(', ') || 'not held'})`);
    if (below.length > 0) lines.push(c.red(`free balance below reserve (risk.reserves): ${below.join('; ')}`));
    const sim = r.venues.filter((v) => v.simulated).map((v) => v.venue);
    if (sim.length > 0) lines.push(c.yellow(`simulated venues: ${sim.join(', ')} (not real money)`));
    this.out(lines.join('\n'));
  }

  private paintHistory(h: BalanceHistory, now: number): void {
    if (this.jsonEnabled()) return;
    const c = this.chalk;
    const what = h.asset ? `${h.asset} held` : 'Portfolio value';
    const scope = h.venues ? ` on ${h.venues.join(', ')}` : '';
    const since = new Date(h.since).toISOString().slice(0, 16).replace('T', ' ');
    if (h.points.length === 0) {
      this.out(`${what}${scope} in ${h.quote}: no snapshots since ${since} UTC. Each \`xarb balances\` run records one.`);
      return;
    }
    const lines = [c.bold(`${what}${scope} in ${h.quote} since ${since} UTC`) + c.dim(` (${h.points.length} snapshot${h.points.length === 1 ? '' : 's'}, last ${fmtAge(now - h.last!.ts)} ago)`)];
    const series = h.points.map((p) => ({ts: p.ts, value: Number(h.asset ? p.amount ?? '0' : p.value)}));
    const width = Math.max(24, Math.min(72, (process.stdout.columns ?? 80) - 20));
    const stamp = (t: number) => new Date(t).toISOString().slice(5, 16).replace('T', ' ');
    const columns = timeColumns(series, series.length === 1 ? 1 : width);
    lines.push(lineChart(columns, {height: 8, width, format: (v) => (h.asset ? fmtAmount(v) : fmtMoney(v, h.quote)), xLabels: [stamp(h.first!.ts), stamp(h.last!.ts)]}));
    if (h.first && h.last && h.change !== undefined) {
      const sign = h.change.startsWith('-') ? '' : '+';
      const pct = h.changePct === undefined ? '' : ` (${sign}${fmt(h.changePct)}%)`;
      const text = `first ${fmtMoney(h.first.value, h.quote)} -> last ${fmtMoney(h.last.value, h.quote)} ${h.quote}: ${sign}${fmtMoney(h.change, h.quote)}${pct}; min ${fmtMoney(h.min, h.quote)}, max ${fmtMoney(h.max, h.quote)}`;
      lines.push(h.change.startsWith('-') ? c.red(text) : c.green(text));
      if (h.asset) lines.push(`amount: ${fmtAmount(h.first.amount)} -> ${fmtAmount(h.last.amount)} ${h.asset}`);
    }
    const partial = h.points.filter((p) => p.partial).length;
    if (partial > 0) lines.push(c.yellow(`${partial} snapshot(s) were partial (a venue failed or an asset had no price)`));
    this.out(lines.join('\n'));
  }
}

function colorDrift(c: {green: (s: string) => string; yellow: (s: string) => string}, drift: number): string {
  const text = `${drift > 0 ? '+' : ''}${fmt(drift)} pp`;
  return Math.abs(drift) >= 5 ? c.yellow(text) : c.green(text);
}

function truncate(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}
