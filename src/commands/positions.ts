import {Flags} from '@oclif/core';
import {journalSnapshots, loadPositions, type PositionsResult} from '../core/portfolio/service.js';
import {positionsJson, type PositionsJson} from '../ui/portfolio-json.js';
import {ExitCode} from '../core/errors.js';
import {XarbCommand} from '../cli/base-command.js';
import {assetFlag, durationFlag, parseUnderlying, venuesFlag} from '../cli/flags.js';
import {fmt, fmtAmount, fmtMoney, fmtPrice} from '../ui/format.js';
import {renderTable} from '../ui/table.js';

export type {PositionsResult} from '../core/portfolio/service.js';

export default class Positions extends XarbCommand<PositionsJson> {
  static override summary = 'Exposure per asset: spot holdings plus derivatives positions, netted across venues';
  static override description = `Spot exposure by asset (the valuation quote itself is cash and left out) and, on venues with derivatives,
open positions with side, size, entry and mark price, unrealized PnL, leverage and liquidation price. One row per
underlying nets everything across venues: spot + longs - shorts (long 0.01 on one venue and short 0.01 on another is 0).`;

  static override examples = ['<%= config.bin %> positions', '<%= config.bin %> positions --symbol BTC/USDT:USDT --json', '<%= config.bin %> positions --venues simbit,simex'];

  static override flags = {
    venues: venuesFlag(),
    symbol: Flags.string({description: 'only this underlying (BTC/USDT:USDT, BTC/USD or BTC all mean BTC)', helpValue: 'BTC/USD', parse: async (input) => parseUnderlying(input)}),
    quote: assetFlag({description: 'value in this asset (default: config valuationQuote)', helpValue: 'USD'}),
    price: Flags.option({options: ['mid', 'bid'] as const, description: 'mid or bid prices for valuation', default: 'mid' as const})(),
    'max-age': durationFlag({description: 'quotes older than this are not used for prices', default: '5m'}),
  };

  async run(): Promise<PositionsJson> {
    const {flags} = await this.parse(Positions);
    const ctx = await this.context();
    const names = ctx.selectVenues(flags.venues);
    const venues = await ctx.venues(names);
    await this.syncVenues(venues);
    const quote = flags.quote ?? ctx.config.valuationQuote;
    const result = await loadPositions(
      {venues, clock: ctx.clock, snapshots: journalSnapshots(ctx.db)},
      {quote, method: flags.price, maxAgeMs: flags['max-age'], underlying: flags.symbol, allVenues: !flags.venues},
    );
    this.paint(result);
    if (result.exitCode === ExitCode.venueFailed) this.note('error: no venue answered; spot exposure comes from the last journalled snapshots\nhint: check the venues with `xarb exchanges`');
    return positionsJson(result);
  }

  private paint(r: PositionsResult): void {
    if (this.jsonEnabled()) return;
    const c = this.chalk;
    const q = r.quote;
    const lines: string[] = [c.bold(`Spot exposure in ${q}`)];
    if (r.spot.length === 0) lines.push(c.dim('  none'));
    else
      lines.push(
        renderTable({
          head: ['asset', 'total', `price ${q}`, `value ${q}`, 'venues'],
          rows: r.spot.map((s) => [s.asset, fmtAmount(s.total), fmtPrice(s.price, q), s.value === undefined ? c.yellow('unpriced') : fmtMoney(s.value, q), s.venues.map((v) => `${v.venue}${v.stale ? c.yellow('*') : ''} ${fmtAmount(v.total)}`).join(', ')]),
          color: this.color,
          compact: true,
          align: ['left', 'right', 'right', 'right', 'left'],
        }),
      );
    lines.push('', c.bold('Derivatives'));
    const supported = r.venues.filter((v) => v.positions !== 'unsupported').map((v) => v.venue);
    if (r.derivatives.length === 0) lines.push(c.dim(supported.length === 0 ? '  no venue here has derivatives positions' : `  no open positions on ${supported.join(', ')}`));
    else
      lines.push(
        renderTable({
          head: ['venue', 'symbol', 'side', 'size', 'entry', 'mark', 'uPnL', `uPnL ${q}`, 'leverage', 'liq. price'],
          rows: r.derivatives.map((d) => [
            d.venue,
            d.symbol,
            d.side === 'long' ? c.green('long') : c.red('short'),
            fmtAmount(d.size),
            fmtPrice(d.entryPrice),
            fmtPrice(d.markPrice),
            d.unrealizedPnl === undefined ? '-' : `${fmtMoney(d.unrealizedPnl, d.settle ?? q)} ${d.settle ?? ''}`,
            d.unrealizedPnlValue === undefined ? '-' : fmtMoney(d.unrealizedPnlValue, q),
            d.leverage === undefined ? '-' : `${fmt(d.leverage, 1)}x`,
            fmtPrice(d.liquidationPrice),
          ]),
          color: this.color,
          compact: true,
          align: ['left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right', 'right'],
        }),
      );
    lines.push('', c.bold('Net per underlying'));
    lines.push(
      renderTable({
        head: ['underlying', 'spot', 'long', 'short', 'net', `net value ${q}`, `uPnL ${q}`, 'venues'],
        rows: r.net.map((n) => [n.underlying, fmtAmount(n.spot), fmtAmount(n.long), fmtAmount(n.short), c.bold(fmtAmount(n.net)), n.netValue === undefined ? c.yellow('unpriced') : fmtMoney(n.netValue, q), n.unrealizedPnlValue === undefined ? '-' : fmtMoney(n.unrealizedPnlValue, q), n.venues.join(', ')]),
        color: this.color,
        compact: true,
        align: ['left', 'right', 'right', 'right', 'right', 'right', 'right', 'left'],
      }),
    );
    if (r.partial) for (const reason of r.reasons) lines.push(c.yellow(`partial: ${reason}`));
    for (const note of r.notes) lines.push(c.dim(`note: ${note}`));
    this.out(lines.join('\n'));
  }
}
