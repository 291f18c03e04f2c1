import {Args, Flags} from '@oclif/core';
import {scanArb, watchArb, type ArbScanOptions, type ArbScanResult, type ArbWatchTick} from '../../core/arb/index.js';
import type {CrossOpportunity, Opportunity, TriangularOpportunity} from '../../core/arb/types.js';
import {opportunityRecorder} from '../../core/arb/record.js';
import {VenueError} from '../../core/errors.js';
import {normalizeSymbol} from '../../core/symbols/index.js';
import {XarbCommand} from '../../cli/base-command.js';
import {amountFlag, durationFlag, integerFlag, intervalFlag, numberFlag, quoteGroupFlag, sourceFlag, venuesFlag} from '../../cli/flags.js';
import {fmt, fmtAge, fmtAmount, fmtMoneyIn, fmtPrice} from '../../ui/format.js';
import {renderTable} from '../../ui/table.js';
import {withIsoTimes} from '../../ui/json.js';
import {scanJson, watchTickJson, type ArbScanJson} from '../../ui/arb-json.js';

export type {ArbWatchTickJson} from '../../ui/arb-json.js';

/** The --json contract: one scan (money as decimal strings, docs/arb.md). Under --watch, one ArbWatchTickJson per line (JSON Lines). */
export type ArbScanCommandResult = ArbScanJson;

export default class ArbScan extends XarbCommand<ArbScanCommandResult> {
  static override summary = 'Find arbitrage that survives fees, depth and stale data';
  static override description = `Cross-venue (default): for every symbol listed on two or more venues (or the SYMBOLs given), the best venue to
buy and to sell, with the size found by walking both books until the next unit stops paying after taker fees, capped by
--max-size, --max-notional, the markets' minimums and steps, and free balances where they are known. Screens every symbol
with one quotes call per venue, then fetches depth only for candidates. Quotes and books older than --max-age are not used.
Two venues' coins with the same ticker are only compared when the venues' metadata agrees they are the same asset.

--triangular: cycles of three assets within each venue whose product of bid/ask rates after fees beats 1.

--watch keeps scanning (streamed books where the venue streams them), prints opportunities as they appear and vanish
with their lifetime, and records them in the journal (see \`xarb arb history\`). Sorted by net profit. See docs/arb.md.`;

  static override examples = [
    '<%= config.bin %> arb scan',
    '<%= config.bin %> arb scan BTC/USD ETH/USD --min-bps 10 --min-profit 5',
    '<%= config.bin %> arb scan --quote-group usd --with-transfer --json',
    '<%= config.bin %> arb scan --triangular --venues simex',
    '<%= config.bin %> arb scan --watch --interval 5s',
  ];

  static override strict = false;
  static override args = {symbol: Args.string({description: 'symbols to scan (default: every symbol on two or more venues)', required: false})};

  static override flags = {
    venues: venuesFlag(),
    'min-bps': numberFlag({description: 'minimum net edge after fees, in basis points', default: 0}),
    'min-profit': numberFlag({description: 'minimum net profit, in the valuation currency (valuationQuote, USD by default)', default: 0}),
    'max-size': amountFlag({description: 'largest trade in base units (cross-venue)'}),
    'max-notional': numberFlag({description: 'largest trade in the valuation currency (buy notional, or the start of a cycle)'}),
    'max-age': durationFlag({description: 'quotes and books older than this are stale and not used', default: '10s'}),
    'max-skew': durationFlag({description: 'books of one venue further apart in time are not combined (triangular)', default: '3s'}),
    depth: integerFlag({description: 'order book depth fetched for candidates', default: 50, min: 1, max: 1000}),
    'max-candidates': integerFlag({description: 'symbols (or cycles) taken from the quote screen to the depth stage', default: 40, min: 1, max: 100_000}),
    'quote-group': quoteGroupFlag(),
    'with-transfer': Flags.boolean({description: 'filter and sort on the net after the withdrawal fee of the bought asset', default: false}),
    'ignore-balances': Flags.boolean({description: 'size by the books alone, ignoring free balances', default: false}),
    triangular: Flags.boolean({description: 'scan three-asset cycles within each venue', default: false}),
    watch: Flags.boolean({description: 'keep scanning until Ctrl-C; print opportunities as they appear and vanish', default: false}),
    interval: intervalFlag({description: 'time between scans under --watch (at least each venue\'s rate limit)', default: '2s'}),
    verbose: Flags.boolean({char: 'v', description: 'also list skipped pairs with the reason, stale quotes and venue failures', default: false}),
    source: sourceFlag(),
  };

  async run(): Promise<ArbScanCommandResult> {
    const {argv, flags} = await this.parse(ArbScan);
    const symbols = [...new Set((argv as string[]).map((s) => normalizeSymbol(s)))];
    const ctx = flags.watch ? await this.context() : await this.withProgress('arb scan');
    const venues = await ctx.marketVenues(flags.venues, flags.source);
    const fees = ctx.feeOverrides(venues.map((v) => v.info.id));
    const recorder = opportunityRecorder(ctx.db);
    const deps = {venues, clock: ctx.clock, fees, valuationQuote: ctx.config.valuationQuote, recorder};
    const options: ArbScanOptions = {
      symbols,
      quoteGroup: flags['quote-group'],
      triangular: flags.triangular,
      minBps: flags['min-bps'],
      minProfit: flags['min-profit'],
      maxSize: flags['max-size'] === undefined ? undefined : Number(flags['max-size']),
      maxNotional: flags['max-notional'],
      maxAgeMs: flags['max-age'],
      maxSkewMs: flags['max-skew'],
      depth: flags.depth,
      maxCandidates: flags['max-candidates'],
      withTransfer: flags['with-transfer'],
      useBalances: !flags['ignore-balances'],
    };

    if (flags.watch) return this.watch(deps, options, flags.interval, flags.verbose);

    const result = await scanArb(deps, options);
    this.stopProgress();
    // Every venue failed: that is a failure (exit 4, reasons on stderr), not "no opportunity" on stdout.
    failIfNoVenue(result);
    this.render(result, flags.verbose);
    return scanJson(result);
  }

  private async watch(deps: Parameters<typeof watchArb>[0], options: ArbScanOptions, intervalMs: number, verbose: boolean): Promise<ArbScanCommandResult> {
    const interrupt = this.interruptSignal();
    let last: ArbScanResult | undefined;
    try {
      for await (const tick of watchArb(deps, options, {intervalMs, signal: interrupt.signal})) {
        last = tick.result;
        if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify(withIsoTimes(watchTickJson(tick)))}\n`);
        else this.renderTick(tick, verbose);
      }
    } finally {
      interrupt.release();
    }
    this.streamedJson = true;
    if (!last) throw new VenueError('all venues', 'stopped before the first scan finished');
    return scanJson(last);
  }

  private renderTick(tick: ArbWatchTick, verbose: boolean): void {
    const c = this.chalk;
    const time = new Date(tick.at).toISOString().slice(11, 19);
    if (tick.iteration === 1) {
      this.out(c.dim(`${time} watching ${tick.result.venues.length} venue(s); ${describeScreen(tick.result)} - Ctrl-C to stop`));
      if (tick.result.simulatedVenues.length > 0) this.out(c.yellow(`simulated venues: ${tick.result.simulatedVenues.join(', ')} (not real markets)`));
    }
    for (const t of tick.appeared) this.out(`${time} ${c.green('+ new    ')} ${oneLine(t.opportunity)}`);
    for (const t of tick.vanished) this.out(`${time} ${c.red('- gone   ')} ${oneLine(t.opportunity)} ${c.dim(`lived ${fmtAge(t.lifetimeMs)} (${t.sightings} scan${t.sightings === 1 ? '' : 's'})`)}`);
    for (const f of tick.result.failures) this.note(`${time} ${f.venue}: ${f.stage} failed: ${f.error}: ${f.message}`);
    if (verbose) for (const s of tick.result.skipped) this.note(`${time} skipped ${s.symbol} (${s.venues.join(' > ')}): ${s.reason}: ${s.detail}`);
  }

  private render(result: ArbScanResult, verbose: boolean): void {
    if (this.jsonEnabled()) return;
    const c = this.chalk;
    const lines: string[] = [];
    if (result.opportunities.length === 0) lines.push(c.yellow('No opportunity survives fees, depth and the filters right now.'));
    else if (result.kind === 'cross') lines.push(this.crossTable(result.opportunities as CrossOpportunity[], result));
    else lines.push(this.triangularTable(result.opportunities as TriangularOpportunity[]));
    const grouped = result.opportunities.some((o) => o.kind === 'cross' && o.quoteGroup !== undefined);
    if (grouped) lines.push(c.yellow(`[${result.settings.quoteGroup}] rows buy and sell in different quotes of the ${result.settings.quoteGroup} group, treated as equal (--quote-group).`));
    lines.push(c.dim(describeScreen(result)));
    if (result.stale.count > 0) lines.push(c.yellow(`${result.stale.count} stale quote(s) older than ${fmtAge(result.settings.maxAgeMs)} excluded${verbose ? '' : ' (--verbose lists them)'}`));
    if (result.belowThreshold > 0) lines.push(c.dim(`${result.belowThreshold} smaller opportunit${result.belowThreshold === 1 ? 'y' : 'ies'} under --min-bps/--min-profit`));
    if (result.truncated > 0) lines.push(c.yellow(`${result.truncated} more candidate(s) beyond --max-candidates were not checked for depth`));
    if (result.skipped.length > 0) {
      const counts = new Map<string, number>();
      for (const s of result.skipped) counts.set(s.reason, (counts.get(s.reason) ?? 0) + 1);
      lines.push(c.dim(`skipped: ${[...counts].map(([r, n]) => `${n} ${r}`).join(', ')}${verbose ? '' : ' (--verbose says why)'}`));
    }
    if (result.unlisted.length > 0) lines.push(c.yellow(`not listed on two or more venues: ${result.unlisted.join(', ')}`));
    if (result.simulatedVenues.length > 0) lines.push(c.yellow(`simulated venues: ${result.simulatedVenues.join(', ')} (not real markets)`));
    if (verbose) {
      for (const s of result.skipped) lines.push(`  skipped ${s.symbol} (${s.venues.join(' > ')}): ${s.reason}: ${s.detail}`);
      for (const s of result.stale.items) lines.push(`  stale ${s.venue} ${s.symbol}: ${fmtAge(s.ageMs)} old`);
    }
    this.out(lines.join('\n'));
    for (const f of result.failures) this.note(`warning: ${f.venue}: ${f.stage} failed: ${f.error}: ${f.message}`);
  }

  private crossTable(list: readonly CrossOpportunity[], result: ArbScanResult): string {
    const c = this.chalk;
    const withTransfer = result.settings.withTransfer;
    const head = ['symbol', 'buy on', 'sell on', 'size', 'avg buy', 'avg sell', 'gross', 'fees', 'net', 'net bps', 'transfer'];
    if (withTransfer) head.push('net w/ transfer');
    head.push('limited by');
    const rows = list.map((o) => {
      const symbol = o.quoteGroup ? `${o.buy.symbol} > ${o.sell.symbol} ${c.yellow(`[${o.quoteGroup}]`)}` : o.symbol;
      const row = [
        symbol,
        o.buy.venue,
        o.sell.venue,
        fmtAmount(o.amount),
        fmtPrice(o.buy.avgPrice, o.buy.symbol.split('/')[1]),
        fmtPrice(o.sell.avgPrice, o.sell.symbol.split('/')[1]),
        fmtMoneyIn(o.grossProfit, o.quote),
        fmtMoneyIn(o.fees, o.quote),
        c.green(fmtMoneyIn(o.netProfit, o.quote)),
        fmt(o.netBps, 1),
        o.transfer ? `${fmtMoneyIn(o.transfer.cost, o.quote)} (${o.transfer.network})` : 'n/a',
      ];
      if (withTransfer) row.push(o.netProfitWithTransfer === undefined ? 'n/a' : fmtMoneyIn(o.netProfitWithTransfer, o.quote));
      row.push(o.limitedBy);
      return row;
    });
    const align = head.map((_, i) => (i < 3 || i === head.length - 1 ? 'left' : 'right')) as ('left' | 'right')[];
    return renderTable({head, rows, color: this.color, align});
  }

  private triangularTable(list: readonly TriangularOpportunity[]): string {
    const c = this.chalk;
    const head = ['venue', 'cycle', 'legs', 'start', 'end', 'net', 'net bps', 'limited by'];
    const rows = list.map((o) => [
      o.venue,
      `${o.assets.join(' > ')} > ${o.assets[0]}`,
      o.legs.map((l) => `${l.side} ${l.symbol}`).join(', '),
      `${fmtAmount(sig(o.startAmount))} ${o.assets[0]}`,
      `${fmtAmount(sig(o.endAmount))} ${o.assets[0]}`,
      c.green(fmtMoneyIn(o.netProfit, o.assets[0])),
      fmt(o.netBps, 1),
      o.limitedBy,
    ]);
    return renderTable({head, rows, color: this.color, align: ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'left']});
  }
}

function sig(n: number): number {
  return Number(n.toPrecision(8));
}

function describeScreen(r: ArbScanResult): string {
  const ok = r.venues.filter((v) => v.ok).length;
  if (r.kind === 'triangular') return `screened ${r.screened} markets on ${ok} venue(s), ${r.cyclesChecked} cycles; ${r.candidates} candidate cycle(s); ${r.booksFetched} book(s) fetched`;
  return `screened ${r.screened} common symbol(s) on ${ok} venue(s); ${r.candidates} candidate pair(s); ${r.booksFetched} book(s) fetched`;
}

function oneLine(o: Opportunity): string {
  if (o.kind === 'cross') {
    const sym = o.quoteGroup ? `${o.buy.symbol}>${o.sell.symbol} [${o.quoteGroup}]` : o.symbol;
    return `${sym} buy ${o.buy.venue} @ ${fmtPrice(o.buy.avgPrice, o.quote)}, sell ${o.sell.venue} @ ${fmtPrice(o.sell.avgPrice, o.quote)}, size ${fmtAmount(o.amount)}, net ${fmtMoneyIn(o.netProfit, o.quote)} (${fmt(o.netBps, 1)} bps)`;
  }
  return `${o.venue} ${o.assets.join('>')}>${o.assets[0]} start ${fmtAmount(sig(o.startAmount))} ${o.assets[0]}, net ${fmtMoneyIn(o.netProfit, o.assets[0])} (${fmt(o.netBps, 1)} bps)`;
}

function failIfNoVenue(result: ArbScanResult): void {
  if (result.venues.length > 0 && result.venues.every((v) => !v.ok)) {
    const reasons = result.failures.map((f) => `${f.venue}: ${f.message}`).join('; ');
    throw new VenueError('all venues', `no venue answered (${reasons})`, {hint: 'check the network or the venue URLs with `xarb exchanges`'});
  }
}
