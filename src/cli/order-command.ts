/**
 * What `xarb order buy` and `xarb order sell` share: flags, the live-money
 * confirmation, and the thin flow parse -> prepare (route) -> dry run or
 * execute -> render. Routing, risk and the journal live in
 * core/execution/order.ts.
 */
import {baseOf, quoteOf} from '../core/symbols/index.js';
import {Flags} from '@oclif/core';
import {ExitCode, UsageError} from '../core/errors.js';
import {sub} from '../core/money/decimal.js';
import {needsAllBalances, needsValuation} from '../core/execution/inputs.js';
import {denialView, dryRunDenial, executeOrder, orderLiveRefusal, planView, prepareOrder, type OrderIntent} from '../core/execution/order.js';
import {assertIdempotentLive, type ExecutionEnv} from '../core/execution/place.js';
import {ROUTE_STRATEGIES, type RouteStrategy} from '../core/router/types.js';
import type {Side} from '../core/types.js';
import {XarbCommand} from './base-command.js';
import {amountArg, amountFlag, durationFlag, sourceFlag, symbolArg, venueFlag, venuesFlag} from './flags.js';
import {orderReportJson, planJson, renderOrders, renderPlan, type MarketDigits, type OrderReportJson} from '../ui/order-view.js';
import {fmtAmount, fmtPrice} from '../ui/format.js';

/** The --json contract of `order buy|sell`: money as exact decimal strings (docs/orders.md). */
export type OrderReport = OrderReportJson;

const CLIENT_KEY = /^[A-Za-z0-9_.:-]{1,64}$/;

export abstract class OrderCommand extends XarbCommand<OrderReport> {
  protected abstract readonly side: Side;

  /** The help both sides share; each side assigns it as its own static, as it does args and flags. */
  static override description = `Routes the order (--route best_price | lowest_fee | fastest | split | priority, or --venue), checks every
child order against the risk limits and the trading state, writes it to the journal with a deterministic client order
id, and only then sends it. A lost answer is settled by looking the client order id up, never by sending again.
Paper-mode venues (the default, and the demo venues) fill against the live book and keep balances in the journal.
Live venues ask for confirmation on a terminal; without one, --yes is required.

Exit codes: 0 placed, 2 bad input or nothing can be placed, 3 denied by risk, 4 a venue refused or did not answer.`;

  /** The examples of one side; `limit` is a plausible ETH limit price for it. */
  protected static examplesFor(side: Side, limit: string): string[] {
    return [
      `<%= config.bin %> order ${side} BTC/USD 0.5`,
      `<%= config.bin %> order ${side} BTC/USD 0.5 --route split --dry-run`,
      `<%= config.bin %> order ${side} ETH-USD 2 --limit ${limit} --venue simbit`,
      `<%= config.bin %> order ${side} BTC/USD 0.1 --route priority --yes --json`,
    ];
  }

  static override args = {
    symbol: symbolArg({required: true}),
    amount: amountArg({required: true}),
  };

  static override flags = {
    limit: amountFlag({description: 'limit price; without it the order is a market order', helpValue: 'PRICE'}),
    venue: venueFlag({description: 'send to this venue only', exclusive: ['route']}),
    route: Flags.string({description: 'how to choose venues', options: [...ROUTE_STRATEGIES], default: 'best_price'}),
    venues: venuesFlag({description: 'venues the route may use (default: all configured)'}),
    'dry-run': Flags.boolean({description: 'print the plan (child orders, venues, expected prices, fees, total) and send nothing', default: false}),
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation (required for live venues without a terminal)', default: false}),
    'max-age': durationFlag({description: 'books older than this are stale and not routed to', default: '10s'}),
    source: sourceFlag(),
    'client-id': Flags.string({
      description: 'idempotency key: running the same order again with the same key reports the first run instead of sending again',
      helpValue: 'KEY',
    }),
  };

  protected async runOrder(command: typeof OrderCommand): Promise<OrderReport> {
    const {args, flags} = await this.parse(command);
    if (flags['client-id'] !== undefined && !CLIENT_KEY.test(flags['client-id'])) throw new UsageError('--client-id must be 1-64 characters of letters, digits, _ . : -');
    const ctx = await this.context();
    const names = flags.venue ? ctx.selectVenues([flags.venue]) : ctx.selectVenues(flags.venues);
    const risk = ctx.config.risk;
    const everyVenue = needsAllBalances(risk) || needsValuation(risk);
    // Orders go to the venues; routing reads books (and markets, quotes) from the bus when a source is set.
    const venues = await ctx.venues(names);
    const sendTo = everyVenue ? await ctx.venues() : venues;
    const routeVenues = await ctx.routeVenues(names, flags.source);
    const allVenues = everyVenue ? await ctx.routeVenues(ctx.selectVenues(), flags.source) : routeVenues;
    const env: ExecutionEnv = {db: ctx.db, clock: ctx.clock, config: ctx.config, venues: new Map(sendTo.concat(venues).map((v) => [v.info.id, v])), alerts: ctx.alerts};
    const intent: OrderIntent = {
      symbol: args.symbol,
      side: this.side,
      amount: args.amount,
      ...(flags.limit === undefined ? {} : {limitPrice: flags.limit}),
      strategy: flags.route as RouteStrategy,
      ...(flags.venue ? {venue: flags.venue} : {}),
    };
    // Orders that can only go to one venue are refused before any request when it cannot take live orders safely.
    if (!flags['dry-run'] && venues.length === 1) assertIdempotentLive(venues);
    await this.syncVenues([...env.venues.values()]);
    const prepared = await prepareOrder(env, routeVenues, allVenues, intent, {maxAgeMs: flags['max-age']});
    const view = planJson(planView(prepared));
    const markets = new Map(prepared.candidates.map((c) => [c.venue, {quote: c.market.quote, tick: c.market.priceStep, lot: c.market.amountStep} satisfies MarketDigits]));
    const digits = (venue: string) => markets.get(venue);
    if (flags['dry-run']) {
      this.out(renderPlan(view, this.color, this.chalk, digits));
      const denied = dryRunDenial(env, prepared);
      if (denied) this.wouldBeDenied(denied);
      return {planId: undefined, dryRun: true, replayed: false, plan: view, orders: [], status: 'planned', filled: '0', average: undefined, fees: [], exitCode: denied ? denied.exitCode : ExitCode.ok, ...(denied ? {wouldBeDenied: denialView(denied)} : {})};
    }
    // A plan that would send live orders where our client id cannot round-trip is refused before the confirmation.
    const refused = orderLiveRefusal(env, prepared);
    if (refused) throw refused;
    const live = [...new Set(view.children.filter((c) => c.mode === 'live').map((c) => c.venue))];
    await this.confirmLive(live, {
      yes: flags.yes,
      what: 'this order goes',
      preview: renderPlan(view, this.color, this.chalk, digits),
      question: `Send ${view.children.length} order(s) to LIVE venue(s) ${live.join(', ')}?`,
    });
    const report = orderReportJson(await executeOrder(env, prepared, flags['client-id'], flags['client-id'] === undefined ? {} : {clientId: flags['client-id']}));
    this.render(report, digits);
    return report;
  }

  private render(report: OrderReport, digits: (venue: string) => MarketDigits | undefined): void {
    if (this.jsonEnabled()) return;
    const c = this.chalk;
    const lines = [renderOrders(report.orders, this.color, c, digits)];
    const quote = quoteOf(report.plan.symbol);
    const base = baseOf(report.plan.symbol);
    const first = report.orders.length === 1 ? digits(report.orders[0]!.venue) : undefined;
    // A limit order left on the book is open and resting, not "done".
    const resting = report.orders.filter((o) => o.status === 'open');
    const state = resting.length > 0 ? `open; resting ${resting.map((o) => `${fmtAmount(sub(o.amount, o.filled), digits(o.venue)?.lot)} ${base}${o.price ? ` at ${fmtPrice(o.price, quote, digits(o.venue)?.tick)} ${quote}` : ''} on ${o.venue}`).join(', ')}` : report.status;
    const filled = `filled ${fmtAmount(report.filled, first?.lot)} ${base}${report.average ? ` at ${fmtPrice(report.average, quote, first?.tick)} ${quote}` : ''}`;
    lines.push(`${report.replayed ? c.yellow('already placed with this --client-id; nothing sent now. ') : ''}plan ${report.planId}: ${state}; ${filled}`);
    this.out(lines.join('\n'));
    if (report.status === 'unknown') {
      this.note(
        'some orders have no answer yet; they are never re-sent. Run `xarb reconcile --fix` (or `xarb orders --open`) to settle them by their client order id.\nhint: re-running this command without --client-id is a NEW order; pass the same --client-id K to make a retry idempotent',
      );
    }
    if (report.status === 'failed') {
      const reason = report.orders.find((o) => o.error)?.error;
      this.note(`error: every order was refused by the venue${reason ? ` (${reason})` : ''}; nothing was placed\nhint: check keys with \`xarb exchanges\` and funds with \`xarb balances\`; a re-run without --client-id is a new order (use --client-id K to make retries idempotent)`);
    }
  }
}
