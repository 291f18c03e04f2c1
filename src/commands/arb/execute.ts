import {Flags} from '@oclif/core';
import {ExitCode, UsageError} from '../../core/errors.js';
import {arbDryRunDenial, arbLiveRefusal, bestArbIntent, executeArb, previewArb, type ArbIntent, type ArbPreview, type ArbReport} from '../../core/execution/arb.js';
import type {ExecutionEnv} from '../../core/execution/place.js';
import {denialView, type DenialView} from '../../core/execution/order.js';
import {XarbCommand} from '../../cli/base-command.js';
import {amountFlag, durationFlag, numberFlag, symbolFlag, venueFlag} from '../../cli/flags.js';
import {renderOrders} from '../../ui/order-view.js';
import {fmt, fmtAge, fmtAmount, fmtMoney, fmtMoneyIn, fmtPrice} from '../../ui/format.js';
import {renderTable} from '../../ui/table.js';
import {arbPreviewJson, arbReportJson, type ArbPreviewJson, type ArbReportJson} from '../../ui/arb-json.js';

/** The --json contract: money as decimal strings (docs/arb.md). */
export type ArbExecuteResult = {readonly dryRun: true; readonly preview: ArbPreviewJson; readonly exitCode: ExitCode; readonly wouldBeDenied?: DenialView} | ({readonly dryRun: false} & ArbReportJson);

export default class ArbExecute extends XarbCommand<ArbExecuteResult> {
  static override summary = 'Take a cross-venue opportunity as two legs, checked together, sent together';
  static override description = `Either name the trade (--symbol, --buy-venue, --sell-venue, --amount) or take the best opportunity of a fresh
scan (--best, optionally with --symbol). Both legs are checked before either is sent: markets, steps and minimums,
fresh books (--max-age), balances, the edge after fees, and every risk limit (both legs as one batch). The legs go out
concurrently as limit orders at the worst level the amount reaches; a remainder is canceled at once. If they fill
different amounts, the configured policy (config arb.legPolicy, or --policy) is applied to the difference:
unwind reverses it, hedge completes it, both at market and only within arb.maxLegLoss (--max-leg-loss).
The report says exactly what filled, what was corrected and what is left open.

Exit codes: 0 both legs filled (or corrected), 2 cannot be taken now, 3 denied by risk, 4 a leg failed or was left open.`;

  static override examples = [
    '<%= config.bin %> arb execute --best --dry-run',
    '<%= config.bin %> arb execute --best --symbol BTC/USD --yes',
    '<%= config.bin %> arb execute --symbol BTC/USD --buy-venue simgate --sell-venue simbit --amount 0.05 --policy hedge --max-leg-loss 20',
  ];

  static override flags = {
    best: Flags.boolean({description: 'scan now and take the best cross-venue opportunity', default: false, exclusive: ['buy-venue', 'sell-venue']}),
    symbol: symbolFlag({description: 'the symbol (required without --best)'}),
    'buy-venue': venueFlag({description: 'venue to buy on'}),
    'sell-venue': venueFlag({description: 'venue to sell on'}),
    amount: amountFlag({description: 'base amount (without --best; with --best, caps the size)'}),
    'buy-limit': amountFlag({description: 'highest price for the buy leg (default: the worst level the amount reaches)', helpValue: 'PRICE'}),
    'sell-limit': amountFlag({description: 'lowest price for the sell leg (default: the worst level the amount reaches)', helpValue: 'PRICE'}),
    'min-bps': numberFlag({description: 'with --best: minimum net edge in basis points', default: 0}),
    'max-age': durationFlag({description: 'books older than this refuse the execution', default: '10s'}),
    policy: Flags.string({description: 'one-legged policy (default: config arb.legPolicy)', options: ['unwind', 'hedge']}),
    'max-leg-loss': amountFlag({description: 'largest loss the policy may take, in quote (default: config arb.maxLegLoss, else no cap)', helpValue: 'AMOUNT'}),
    'dry-run': Flags.boolean({description: 'check both legs and print them; send nothing', default: false}),
    yes: Flags.boolean({char: 'y', description: 'do not ask (required for live venues without a terminal)', default: false}),
    'client-id': Flags.string({description: 'idempotency key: the same trade with the same key is never sent twice', helpValue: 'KEY'}),
  };

  async run(): Promise<ArbExecuteResult> {
    const {flags} = await this.parse(ArbExecute);
    const ctx = await this.context();
    const venues = await ctx.venues();
    await this.syncVenues(venues);
    const env: ExecutionEnv = {db: ctx.db, clock: ctx.clock, config: ctx.config, venues: new Map(venues.map((v) => [v.info.id, v])), alerts: ctx.alerts};
    let intent: ArbIntent;
    if (flags.best) {
      intent = await bestArbIntent(
        {venues, clock: ctx.clock, fees: ctx.feeOverrides(ctx.venueNames()), valuationQuote: ctx.config.valuationQuote},
        {symbol: flags.symbol, minBps: flags['min-bps'], maxAgeMs: flags['max-age'], amount: flags.amount},
      );
    } else {
      if (!flags.symbol || !flags['buy-venue'] || !flags['sell-venue'] || !flags.amount) {
        throw new UsageError('give --symbol, --buy-venue, --sell-venue and --amount, or --best');
      }
      ctx.selectVenues([flags['buy-venue'], flags['sell-venue']]);
      const symbol = flags.symbol;
      intent = {
        buy: {venue: flags['buy-venue'], symbol, ...(flags['buy-limit'] ? {limitPrice: flags['buy-limit']} : {})},
        sell: {venue: flags['sell-venue'], symbol, ...(flags['sell-limit'] ? {limitPrice: flags['sell-limit']} : {})},
        amount: flags.amount,
        maxAgeMs: flags['max-age'],
      };
    }
    // Live legs where our client id cannot round-trip are refused before the books are read or anything is journalled (a dry run reports it).
    const refused = flags['dry-run'] ? undefined : arbLiveRefusal(env, intent);
    if (refused) throw refused;
    const previewed = await previewArb(env, intent);
    const {preview} = previewed;
    if (flags['dry-run']) {
      this.out(this.previewText(preview));
      const denied = await arbDryRunDenial(env, previewed);
      if (denied) this.wouldBeDenied(denied);
      return {dryRun: true, preview: arbPreviewJson(preview), exitCode: denied ? denied.exitCode : ExitCode.ok, ...(denied ? {wouldBeDenied: denialView(denied)} : {})};
    }
    const live = [preview.buy.venue, preview.sell.venue].filter((v) => env.venues.get(v)?.info.mode === 'live');
    await this.confirmLive(live, {yes: flags.yes, what: 'this trade goes', preview: this.previewText(preview), question: `Send both legs to LIVE venue(s) ${live.join(', ')}?`});
    const policy = {
      legPolicy: (flags.policy ?? ctx.config.arb.legPolicy ?? 'unwind') as 'unwind' | 'hedge',
      ...((flags['max-leg-loss'] ?? ctx.config.arb.maxLegLoss) !== undefined ? {maxLegLoss: flags['max-leg-loss'] ?? ctx.config.arb.maxLegLoss} : {}),
    };
    const report = await executeArb(env, previewed, policy, flags['client-id']);
    this.renderReport(report);
    return {dryRun: false, ...arbReportJson(report)};
  }

  private previewText(p: ArbPreview): string {
    const rows = [p.buy, p.sell].map((l) => [l.side, l.venue, l.symbol, fmtAmount(l.amount), `limit ${l.limitPrice}`, fmtPrice(l.expectedPrice, p.quote), fmtMoney(l.fee, p.quote), fmtMoney(l.total, p.quote), fmtAge(l.bookAgeMs)]);
    return [
      renderTable({head: ['leg', 'venue', 'symbol', 'amount', 'price', 'expected avg', `fee ${p.quote}`, `total ${p.quote}`, 'book age'], rows, color: this.color}),
      `expected profit after fees: ${fmtMoneyIn(p.expectedProfit, p.quote)} (${fmt(p.expectedBps, 1)} bps)`,
    ].join('\n');
  }

  private renderReport(r: ArbReport): void {
    if (this.jsonEnabled()) return;
    const c = this.chalk;
    const lines = [renderOrders([r.legs.buy, r.legs.sell, ...(r.correction?.order ? [r.correction.order] : [])], this.color, c)];
    const text: Record<ArbReport['outcome'], string> = {
      both_filled: c.green('both legs filled'),
      none_filled: c.yellow('neither leg filled; nothing is open'),
      one_legged_corrected: c.yellow(`one leg filled more by ${r.correction?.excess}; ${r.correction?.policy} applied`),
      one_legged_open: c.red(`one leg filled more by ${r.correction?.excess}; exposure left open${r.correction?.reason ? `: ${r.correction.reason}` : ''}`),
      unknown: c.red('a leg has no answer yet; run `xarb reconcile --fix` to settle it by its client order id'),
    };
    lines.push(`plan ${r.planId}: ${text[r.outcome]}`);
    if (r.correction) lines.push(`policy ${r.correction.policy} on ${r.correction.venue} (${r.correction.side} ${r.correction.excess}): estimated loss ${fmtMoneyIn(r.correction.estimatedLoss, r.preview.quote)}${r.correction.maxLegLoss ? ` (cap ${r.correction.maxLegLoss})` : ''}`);
    lines.push(`residual position: ${fmtAmount(r.residual)}; realized P&L ${fmtMoneyIn(r.realizedPnl, r.preview.quote)} (expected ${fmtMoneyIn(r.preview.expectedProfit, r.preview.quote)})`);
    this.out(lines.join('\n'));
  }
}
