import {Flags} from '@oclif/core';
import {journalPnl, type PnlResult} from '../../core/portfolio/service.js';
import {XarbCommand} from '../../cli/base-command.js';
import {assetFlag, durationFlag, sinceFlag, sinceTime, symbolFlag, venueFlag} from '../../cli/flags.js';
import {fmtAmount, fmtMoney, fmtPrice} from '../../ui/format.js';
import {renderTable} from '../../ui/table.js';

export type {PnlResult} from '../../core/portfolio/service.js';

export default class Pnl extends XarbCommand<PnlResult> {
  static override summary = 'Realized and unrealized PnL from journalled fills, per asset across quote currencies and per venue';
  static override description = `Average-cost method, one book per asset pooled across venues and quote currencies: BTC bought on BTC/USDT and
sold on BTC/USD net into one BTC position and realize the difference. Every figure is in --quote (the valuation
currency): each fill is converted at the rate of its time, journalled by \`xarb prices\` runs (within an hour of the
fill), else at the current rate; the rates and their sources are listed. Realized PnL is booked on the venue of the
closing fill. Holdings from before the journal are never shown as shorts: set their cost basis with
\`xarb pnl basis ASSET PRICE\`, or they are listed as "no basis". --since limits which fills count, but earlier fills
still set the average cost. Unrealized PnL marks what is held at the venues' current prices.`;

  static override examples = ['<%= config.bin %> pnl', '<%= config.bin %> pnl --since 1d --symbol BTC/USD', '<%= config.bin %> pnl --venue simbit --json', '<%= config.bin %> pnl basis BTC 30000'];

  static override flags = {
    since: sinceFlag({description: 'count fills from this long ago, or from a date (UTC unless an offset is given; default: all)'}),
    symbol: symbolFlag({description: 'only fills of this market'}),
    venue: venueFlag({description: 'only fills on this venue'}),
    quote: assetFlag({description: 'valuation currency (default: config valuationQuote)', helpValue: 'USD'}),
    price: Flags.option({options: ['mid', 'bid'] as const, description: 'mid or bid prices for marks and conversions', default: 'mid' as const})(),
    'max-age': durationFlag({description: 'quotes older than this are not used', default: '5m'}),
  };

  async run(): Promise<PnlResult> {
    const {flags} = await this.parse(Pnl);
    const ctx = await this.context();
    const result = await journalPnl(
      {db: ctx.db, clock: ctx.clock, venueNames: ctx.venueNames(), openVenues: (names, options) => ctx.venues(names, options), sync: (venues) => this.syncVenues(venues)},
      {
        venue: flags.venue,
        symbol: flags.symbol,
        quote: flags.quote ?? ctx.config.valuationQuote,
        method: flags.price,
        maxAgeMs: flags['max-age'],
        since: flags.since === undefined ? undefined : sinceTime(flags.since, ctx.clock.now()),
      },
    );
    this.paint(result);
    return result;
  }

  private paint(r: PnlResult): void {
    if (this.jsonEnabled()) return;
    const c = this.chalk;
    const q = r.quote;
    const money = (x: string | undefined) => (x === undefined ? c.yellow('?') : fmtMoney(x, q));
    const signed = (x: string | undefined) => (x === undefined ? c.yellow('?') : x.startsWith('-') ? c.red(money(x)) : isZeroText(x) ? money(x) : c.green(money(x)));
    const since = r.since === undefined ? 'all fills' : `fills since ${new Date(r.since).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    const lines = [c.bold(`PnL in ${q} (average cost per asset, ${since})`)];
    if (r.assets.length === 0) {
      this.out(`${lines[0]}\nno fills in the journal${r.since === undefined ? '' : ' in that window'}. Orders placed with \`xarb order\` record their fills.`);
      return;
    }
    lines.push(
      renderTable({
        head: ['asset', 'markets', 'fills', 'bought', 'sold', 'position', `avg entry ${q}`, `mark ${q}`, 'realized', 'fees', 'unrealized', 'net', 'no basis'],
        rows: r.assets.map((a) => [
          a.asset,
          a.markets.join(', '),
          a.fills,
          fmtAmount(a.bought),
          fmtAmount(a.sold),
          fmtAmount(a.position),
          a.averageEntry === undefined ? '-' : fmtPrice(a.averageEntry, q),
          fmtPrice(a.markPrice, q),
          signed(a.realized),
          money(a.fees) + (a.unpricedFees.length > 0 ? c.yellow(` +${a.unpricedFees.map((f) => `${fmtAmount(f.cost)} ${f.currency}`).join(', ')}`) : '') + (a.feesConvertedAtCurrentPrice ? c.dim(' ~') : ''),
          signed(a.unrealized),
          signed(a.net),
          a.preJournal && !a.preJournal.withBasis ? c.yellow(`${fmtAmount(a.preJournal.amount)} sold`) : '-',
        ]),
        color: this.color,
        compact: true,
        align: ['left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
      }),
    );
    const rates = r.assets.flatMap((a) => a.rates.filter((x) => x.currency !== q).map((x) => `${a.asset} fills in ${x.currency}: ${x.fills} at ${fmtAmount(x.rate)} ${q}/${x.currency} (${x.source})`));
    for (const rate of rates) lines.push(c.dim(`rate: ${rate}`));
    for (const a of r.assets) if (a.basis) lines.push(c.dim(`basis: ${a.asset} held before the journal at ${fmtPrice(a.basis.price, a.basis.quote)} ${a.basis.quote} (set ${new Date(a.basis.setAt).toISOString().slice(0, 10)})`));
    lines.push('', c.bold(`Per venue (${q})`));
    lines.push(
      renderTable({
        head: ['venue', 'fills', 'volume', 'realized', 'fees', 'realized - fees'],
        rows: r.venues.map((v) => [v.venue + (v.unconverted.length > 0 ? c.yellow(` (no ${v.unconverted.join(', ')} rate)`) : ''), v.fills, money(v.volume), signed(v.realized), money(v.fees), signed(v.net)]),
        color: this.color,
        compact: true,
        align: ['left', 'right', 'right', 'right', 'right', 'right'],
      }),
    );
    const t = r.total;
    lines.push('', `Total ${q}: realized ${signed(t.realized)}, fees ${money(t.fees)}, unrealized ${signed(t.unrealized)}, net ${c.bold(signed(t.net))}${t.partial ? c.yellow(' - PARTIAL') : ''}`);
    for (const reason of t.reasons) lines.push(c.yellow(`  partial: ${reason}`));
    if (r.feesByCurrency.length > 0) lines.push(c.dim(`fees charged: ${r.feesByCurrency.map((f) => `${fmtAmount(f.cost)} ${f.currency}`).join(', ')}${r.assets.some((a) => a.feesConvertedAtCurrentPrice) ? ' (~ some converted at current rates)' : ''}`));
    for (const note of r.notes) lines.push(c.dim(`note: ${note}`));
    this.out(lines.join('\n'));
  }
}

function isZeroText(x: string): boolean {
  return /^-?0(\.0*)?$/.test(x);
}
