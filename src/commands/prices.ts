import {Args, Flags} from '@oclif/core';
import {UsageError, VenueError} from '../core/errors.js';
import {StreamingBooks, StreamingQuotes} from '../core/market/streams.js';
import {fetchPrices, priceRecorder, watchIntervalMs, watchPrices, type PriceRecorder, type PricesResult, type PriceRow} from '../core/market/prices.js';
import {QUOTE_GROUPS, normalizeSymbol} from '../core/symbols/index.js';
import {XarbCommand} from '../cli/base-command.js';
import {amountFlag, durationFlag, intervalFlag, quoteGroupFlag, sourceFlag, venuesFlag} from '../cli/flags.js';
import {fmt, fmtAge, fmtAmount, fmtPrice} from '../ui/format.js';
import {renderTable} from '../ui/table.js';
import {withIsoTimes} from '../ui/json.js';
import {pricesJson, type PricesJson} from '../ui/prices-json.js';

export type {PricesResult} from '../core/market/prices.js';

/** The --json contract: quotes and sizes as decimal strings (src/ui/prices-json.ts). */
export type PricesCommandResult = PricesJson;

export default class Prices extends XarbCommand<PricesCommandResult> {
  static override summary = 'Compare bid and ask for symbols across venues';
  static override description = `Prints bid, ask, sizes, spread and data age per venue, marks the best bid and best ask, and shows the
cross-venue spread (best bid minus best ask). Quotes older than --max-age are marked stale and never chosen as best.
Symbols may be written in any common form: BTC/USD, BTC-USD, btcusdt, XBT/USD.`;

  static override examples = [
    '<%= config.bin %> prices BTC/USD',
    '<%= config.bin %> prices BTC/USD ETH/USD --venues simbit,simex --json',
    '<%= config.bin %> prices BTC/USD --size 2',
    '<%= config.bin %> prices BTC/USD --quote-group usd --watch',
  ];

  static override strict = false;
  static override args = {symbol: Args.string({description: 'one or more symbols, e.g. BTC/USD ETH/USD', required: true})};

  static override flags = {
    venues: venuesFlag(),
    size: amountFlag({description: 'walk each book for this base amount: average price to buy and to sell it'}),
    'max-age': durationFlag({description: 'quotes older than this are stale', default: '10s'}),
    'quote-group': quoteGroupFlag(),
    watch: Flags.boolean({description: 'refresh in place until Ctrl-C; quotes are streamed where the venue streams, polled elsewhere', default: false}),
    interval: intervalFlag({description: 'refresh interval for --watch (at least each venue\'s rate limit)', default: '2s'}),
    source: sourceFlag(),
  };

  async run(): Promise<PricesCommandResult> {
    const {argv, flags} = await this.parse(Prices);
    const symbols = [...new Set((argv as string[]).map((s) => normalizeSymbol(s)))];
    if (symbols.length === 0) throw new UsageError('give at least one symbol, e.g. xarb prices BTC/USD');
    const ctx = flags.watch ? await this.context() : await this.withProgress('prices');
    // The journal records the quotes once they are in. It opens at the first wait for the network: while
    // the bus connects, or while the venues answer the requests fetchPrices has sent by then; record()
    // opens it if that has not happened yet.
    let repo: PriceRecorder | undefined;
    const recorder: PriceRecorder = {record: (snapshots) => (repo ??= priceRecorder(ctx.db)).record(snapshots)};
    setImmediate(() => {
      try {
        repo ??= priceRecorder(ctx.db);
      } catch {
        // record() opens it again and the error surfaces there
      }
    });
    // Fee overrides by venue name: only configured venues have one (no prototype: a bus venue's name is looked up too).
    const takerFees = Object.create(null) as Record<string, number | undefined>;
    for (const [id, venue] of Object.entries(ctx.config.venues)) takerFees[id] = venue.fees?.taker;
    const options = {size: flags.size, maxAgeMs: flags['max-age'], quoteGroup: flags['quote-group'], clock: ctx.clock, takerFees, recorder};

    if (flags.watch) {
      const venues = await ctx.marketVenues(flags.venues, flags.source, {paper: false});
      const interrupt = this.interruptSignal();
      let last: PricesResult | undefined;
      const interval = watchIntervalMs(flags.interval, venues);
      if (interval > flags.interval) this.note(`note: refreshing every ${fmtAge(interval)}, the venues' rate limit (--interval ${fmtAge(flags.interval)} is shorter)`);
      const books = new StreamingBooks();
      const quotes = new StreamingQuotes({clock: ctx.clock});
      try {
        for await (const result of watchPrices(venues, symbols, {...options, intervalMs: flags.interval, signal: interrupt.signal, books, quotes})) {
          last = result;
          if (this.jsonEnabled()) process.stdout.write(`${JSON.stringify(withIsoTimes(pricesJson(result)))}\n`);
          else this.paint(result, true);
        }
      } finally {
        books.close();
        quotes.close();
      }
      interrupt.release();
      if (!last) throw new UsageError('stopped before the first refresh');
      // Under --json each refresh was already printed as one line (JSON Lines).
      this.streamedJson = true;
      return pricesJson(last);
    }

    // Each venue is asked as soon as it is open, while the next ones are still being built.
    const result = await fetchPrices(await ctx.marketVenuesEach(flags.venues, flags.source, {paper: false, symbols}), symbols, options);
    this.stopProgress();
    if (result.venuesAnswered === 0) {
      const reasons = result.symbols[0]?.rows.map((r) => `${r.venue}: ${r.error ?? r.status}`).join('; ');
      this.paint(result, false);
      throw new VenueError('all venues', `no venue answered (${reasons})`, {hint: 'check the network or the venue URLs with `xarb exchanges`'});
    }
    this.paint(result, false);
    return pricesJson(result);
  }

  private paint(result: PricesResult, refresh: boolean): void {
    if (this.jsonEnabled()) return;
    const c = this.chalk;
    const blocks: string[] = [];
    for (const s of result.symbols) {
      const sized = result.size !== undefined;
      const head = ['venue', 'market', 'bid', 'bid size', 'ask', 'ask size', 'spread', 'bps', 'age'];
      if (sized) head.push(`buy ${result.size} avg`, `sell ${result.size} avg`);
      const quote = s.symbol.split('/')[1]?.split(':')[0];
      const tick = s.rows.find((r) => r.priceStep !== undefined)?.priceStep;
      const rows = s.rows.map((r) => this.row(r, sized, quote));
      const title = `${c.bold(s.symbol)}${result.quoteGroup ? c.yellow(` (quote group ${result.quoteGroup}: ${(QUOTE_GROUPS[result.quoteGroup] ?? []).join(', ')} treated as one)`) : ''}`;
      const lines = [title, renderTable({head, rows, color: this.color, align: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right']})];
      if (s.crossSpread && s.bestBid && s.bestAsk) {
        const crossed = s.crossSpread.value > 0;
        const text = `cross-venue spread: best bid ${fmtPrice(s.bestBid.price, quote, tick)} (${s.bestBid.venue}) - best ask ${fmtPrice(s.bestAsk.price, quote, tick)} (${s.bestAsk.venue}) = ${fmtPrice(s.crossSpread.value, quote, tick)} (${fmt(s.crossSpread.bps, 1)} bps)`;
        lines.push(crossed ? c.green(`${text}  crossed: buy on ${s.bestAsk.venue}, sell on ${s.bestBid.venue} (before fees)`) : text);
      } else lines.push(c.yellow('cross-venue spread: not enough fresh quotes'));
      if (sized && (s.bestBuy || s.bestSell)) {
        const best = (b: {venue: string; average: number; afterFees?: number} | undefined) =>
          b ? `${b.venue} at ${fmtPrice(b.average, quote, tick)}${b.afterFees === undefined ? '' : ` (${fmtPrice(b.afterFees, quote, tick)} after fees)`}` : '-';
        lines.push(`best to buy ${result.size} after fees: ${best(s.bestBuy)}; best to sell: ${best(s.bestSell)}`);
      }
      blocks.push(lines.join('\n'));
    }
    const footer: string[] = [];
    // Full failure reasons (the table cell is cut short).
    const failures = new Map<string, string>();
    for (const r of result.symbols.flatMap((x) => x.rows)) if (r.status === 'failed' && r.error) failures.set(r.venue, r.error);
    for (const [venue, error] of failures) footer.push(c.red(`${venue} failed: ${error.startsWith(`${venue}: `) ? error.slice(venue.length + 2) : error}`));
    if (result.simulatedVenues.length > 0) footer.push(c.yellow(`simulated venues: ${result.simulatedVenues.join(', ')} (not real markets)`));
    const stale = result.symbols.flatMap((s) => s.rows).filter((r) => r.stale).length;
    if (stale > 0) footer.push(c.yellow(`${stale} stale quote(s) older than ${fmtAge(result.maxAgeMs)} are not used as best`));
    const text = [...blocks, ...footer].join('\n\n');
    if (refresh && process.stdout.isTTY) process.stdout.write('\u001b[H\u001b[2J');
    this.out(refresh ? `${text}\n${c.dim(`updated ${new Date(result.generatedAt).toISOString()} - Ctrl-C to stop`)}` : text);
  }

  private row(r: PriceRow, sized: boolean, quote: string | undefined): string[] {
    const c = this.chalk;
    const venue = `${r.venue}${r.simulated ? c.dim(' (sim)') : ''}`;
    if (r.status !== 'ok') {
      const detail = r.status === 'failed' ? c.red(truncate(r.error ?? '', 48)) : r.alternatives ? c.dim(`has ${r.alternatives.join(', ')}; see --quote-group`) : '';
      const cells = [venue, r.nativeId ?? '-', r.status === 'failed' ? c.red('failed') : c.dim('not listed'), detail, '', '', '', '', ''];
      if (sized) cells.push('', '');
      return cells;
    }
    const market = `${r.nativeId ?? ''}${r.quoteGroupLabel ? c.yellow(` [${r.quoteGroupLabel}]`) : ''}`;
    const price = (x: number | undefined) => fmtPrice(x, quote, r.priceStep);
    const bid = r.bestBid ? c.green(`${price(r.bid)} *`) : price(r.bid);
    const ask = r.bestAsk ? c.green(`${price(r.ask)} *`) : price(r.ask);
    const age = r.stale ? c.red(`${fmtAge(r.ageMs)} stale`) : fmtAge(r.ageMs);
    const cells = [venue, market, bid, fmtAmount(r.bidSize, r.amountStep), ask, fmtAmount(r.askSize, r.amountStep), price(r.spread), fmt(r.spreadBps, 1), age];
    if (sized) cells.push(sizeCell(r.buy, price, r.amountStep), sizeCell(r.sell, price, r.amountStep));
    return cells;
  }
}

function sizeCell(fill: {average: number | undefined; afterFees?: number; unfilled: number} | undefined, price: (x: number | undefined) => string, lot: number | undefined): string {
  if (!fill || fill.average === undefined) return 'no depth';
  const text = `${price(fill.average)}${fill.afterFees === undefined ? '' : ` (${price(fill.afterFees)} w/ fee)`}`;
  return fill.unfilled > 0 ? `${text} (${fmtAmount(fill.unfilled, lot)} unfilled)` : text;
}

function truncate(text: string, n: number): string {
  return text.length > n ? `${text.slice(0, n - 1)}…` : text;
}
