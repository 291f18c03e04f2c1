import {Flags} from '@oclif/core';
import {UnknownVenueError} from '../core/errors.js';
import {OrdersRepo} from '../core/journal/orders.js';
import {loadPnl, type PnlResult} from '../core/portfolio/service.js';
import {XarbCommand} from '../cli/base-command.js';
import {assetFlag, durationFlag, sinceFlag, sinceTime, symbolFlag, venueFlag} from '../cli/flags.js';
import {fmt, fmtAmount, fmtPrice, renderTable} from '../ui/table.js';

export type {PnlResult} from '../core/portfolio/service.js';

export default class Pnl extends XarbCommand<PnlResult> {
  static override summary = 'Realized and unrealized PnL from journalled fills, per symbol and per venue';
  static override description = `Average-cost method, one book per symbol pooled across venues (a buy on one venue and a sell on another
realize the difference); realized PnL is booked on the venue of the closing fill. Fees in the symbol's quote count
as they are, fees in the base asset reduce the position, fees in other assets are converted at current prices.
Unrealized PnL marks what is still held at the venues' current mid prices. --since limits which fills count,
but earlier fills still set the average cost. Per-symbol figures are in the symbol's quote; totals in --quote.`;

  static override examples = ['<%= config.bin %> pnl', '<%= config.bin %> pnl --since 1d --symbol BTC/USD', '<%= config.bin %> pnl --venue simbit --json'];

  static override flags = {
    since: sinceFlag({description: 'count fills from this long ago, or from a date (UTC unless an offset is given; default: all)'}),
    symbol: symbolFlag({description: 'only this symbol'}),
    venue: venueFlag({description: 'only fills on this venue'}),
    quote: assetFlag({description: 'totals in this asset (default: config valuationQuote)', helpValue: 'USD'}),
    price: Flags.option({options: ['mid', 'bid'] as const, description: 'mid or bid prices for marks and conversions', default: 'mid' as const})(),
    'max-age': durationFlag({description: 'quotes older than this are not used', default: '5m'}),
  };

  async run(): Promise<PnlResult> {
    const {flags} = await this.parse(Pnl);
    const ctx = await this.context();
    // Fills of resting orders that traded since the last look are journalled first.
    await this.syncVenues(await ctx.venues(flags.venue && ctx.venueNames().includes(flags.venue) ? [flags.venue] : undefined));
    const fills = new OrdersRepo(ctx.db, ctx.clock).fills({venue: flags.venue, symbol: flags.symbol, limit: Number.MAX_SAFE_INTEGER});
    // A venue no longer configured may still have fills; an unknown name with none is a typo.
    if (flags.venue && fills.length === 0 && !ctx.venueNames().includes(flags.venue)) throw new UnknownVenueError(flags.venue, ctx.venueNames());
    const venues = await ctx.venues(undefined, {paper: false});
    const quote = flags.quote ?? ctx.config.valuationQuote;
    const since = flags.since === undefined ? undefined : sinceTime(flags.since, ctx.clock.now());
    const result = await loadPnl(
      {venues, clock: ctx.clock},
      fills.map((f) => ({venue: f.venue, tradeId: f.tradeId, symbol: f.symbol, side: f.side, price: f.price, amount: f.amount, fee: f.fee, ts: f.ts})),
      {quote, method: flags.price, maxAgeMs: flags['max-age'], since},
    );
    this.paint(result);
    return result;
  }

  private paint(r: PnlResult): void {
    if (this.jsonEnabled()) return;
    const c = this.chalk;
    const q = r.quote;
    const signed = (x: string | undefined, digits = 2) => (x === undefined ? c.yellow('?') : Number(x) < 0 ? c.red(fmt(Number(x), digits)) : Number(x) > 0 ? c.green(fmt(Number(x), digits)) : fmt(Number(x), digits));
    const since = r.since === undefined ? 'all fills' : `fills since ${new Date(r.since).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    const lines = [c.bold(`PnL (average cost, ${since})`)];
    if (r.symbols.length === 0) {
      this.out(`${lines[0]}\nno fills in the journal${r.since === undefined ? '' : ' in that window'}. Orders placed with \`xarb order\` record their fills.`);
      return;
    }
    lines.push(
      renderTable({
        head: ['symbol', 'fills', 'bought', 'sold', 'position', 'avg entry', 'mark', 'realized', 'fees', 'unrealized', 'net', `net ${q}`],
        rows: r.symbols.map((s) => [
          s.symbol,
          s.fills,
          fmtAmount(s.bought),
          fmtAmount(s.sold),
          fmtAmount(s.position),
          s.averageEntry === undefined ? '-' : fmtPrice(Number(s.averageEntry)),
          fmtPrice(s.markPrice),
          signed(s.realized),
          fmt(Number(s.fees)) + (s.unpricedFees.length > 0 ? c.yellow(` +${s.unpricedFees.map((f) => `${fmtAmount(f.cost)} ${f.currency}`).join(', ')}`) : '') + (s.feesConvertedAtCurrentPrice ? c.dim(' ~') : ''),
          signed(s.unrealized),
          signed(s.net),
          signed(s.netValue),
        ]),
        color: this.color,
        compact: true,
        align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
      }),
    );
    lines.push('', c.bold(`Per venue (${q})`));
    lines.push(
      renderTable({
        head: ['venue', 'fills', 'volume', 'realized', 'fees', 'realized - fees'],
        rows: r.venues.map((v) => [v.venue + (v.unconverted.length > 0 ? c.yellow(` (no ${v.unconverted.join(', ')} price)`) : ''), v.fills, fmt(Number(v.volume)), signed(v.realized), fmt(Number(v.fees)), signed(v.net)]),
        color: this.color,
        compact: true,
        align: ['left', 'right', 'right', 'right', 'right', 'right'],
      }),
    );
    const t = r.total;
    lines.push('', `Total ${q}: realized ${signed(t.realized)}, fees ${fmt(Number(t.fees))}, unrealized ${signed(t.unrealized)}, net ${c.bold(signed(t.net))}${t.partial ? c.yellow(' - PARTIAL') : ''}`);
    for (const reason of t.reasons) lines.push(c.yellow(`  partial: ${reason}`));
    if (r.feesByCurrency.length > 0) lines.push(c.dim(`fees charged: ${r.feesByCurrency.map((f) => `${fmtAmount(f.cost)} ${f.currency}`).join(', ')}${r.symbols.some((s) => s.feesConvertedAtCurrentPrice) ? ' (~ converted at current prices)' : ''}`));
    for (const note of r.notes) lines.push(c.dim(`note: ${note}`));
    this.out(lines.join('\n'));
  }
}
