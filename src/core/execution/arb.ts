/**
 * `xarb arb execute`: take a cross-venue opportunity as two legs.
 *
 * 1. Check BOTH legs before sending either, on fresh data: each market is
 *    listed and active, the amount is on both amount steps and above both
 *    minimums, each book is younger than maxAgeMs and holds the amount within
 *    the leg's limit price, the buy venue has the quote (with fee) and the
 *    sell venue the base, and the edge after fees is still positive. Then the
 *    risk engine judges both legs as one batch in the write-ahead transaction.
 *    Any failure: nothing is sent.
 * 2. Send both legs concurrently, as limit orders at the worst level the
 *    amount reaches (price protection); a leg left partly open is canceled at
 *    once (immediate-or-cancel), so what filled is final.
 * 3. If the legs filled different amounts, apply config.arb.legPolicy to the
 *    difference: `unwind` reverses the excess on the venue that over-filled;
 *    `hedge` completes the missing part on the other leg's venue. Both are
 *    market orders through the same risk checks and journal. The estimated
 *    loss (from the current book, fees included) must stay within
 *    maxLegLoss; otherwise the corrective order is not sent and the open
 *    exposure is reported.
 * The report states exactly what was planned, filled, corrected and left.
 */
import type {Alert} from '../alerts/index.js';
import {EdgeGoneError, ExitCode, NothingToPlaceError, UsageError, VenueError, type XarbError} from '../errors.js';
import {denialError} from '../risk/engine.js';
import {OrdersRepo, type JournalOrder} from '../journal/orders.js';
import {PlansRepo} from '../journal/plans.js';
import {isStale, mid, walkLevels} from '../market/book.js';
import {abs, add, cmp, dec, isPositive, isZero, mul, roundToStep, sub} from '../money/decimal.js';
import {scanArb, type ArbDeps} from '../arb/index.js';
import type {CrossOpportunity} from '../arb/types.js';
import {quoteOf} from '../symbols/index.js';
import type {Balance, Market, OrderBook, PlannedOrder, Side} from '../types.js';
import type {Venue} from '../venues/port.js';
import {cancelOrders} from './cancel.js';
import {invocationKey, planIdFor} from './ids.js';
import {freeOf, gatherRiskInputs, type RiskInputs} from './inputs.js';
import {liveRefusal, orderResult, riskDenial, sendOrder, writeAhead, type ExecutionEnv, type OrderResult} from './place.js';

export interface ArbLegIntent {
  readonly venue: string;
  /** Canonical symbol on that venue. */
  readonly symbol: string;
  /** Limit price (decimal string); default: the worst level the amount reaches in the fresh book. */
  readonly limitPrice?: string;
}

export interface ArbIntent {
  readonly buy: ArbLegIntent;
  readonly sell: ArbLegIntent;
  /** Base units (decimal string). */
  readonly amount: string;
  /** Books older than this are stale and refuse the execution (default 10 s). */
  readonly maxAgeMs?: number;
  /** The scanner's opportunity key when taken from a scan. */
  readonly opportunityKey?: string;
}

export interface ArbPolicy {
  readonly legPolicy: 'unwind' | 'hedge';
  /** Largest accepted loss of the corrective order, in the quote currency; undefined = no cap. */
  readonly maxLegLoss?: string;
}

export interface LegCheck {
  readonly side: Side;
  readonly venue: string;
  readonly symbol: string;
  readonly amount: string;
  readonly limitPrice: string;
  readonly expectedPrice: number;
  readonly feeRate: number;
  readonly fee: number;
  /** Quote spent (buy) or received (sell), fees included. */
  readonly total: number;
  readonly bookAgeMs: number;
}

export interface ArbPreview {
  readonly intent: ArbIntent;
  readonly buy: LegCheck;
  readonly sell: LegCheck;
  readonly quote: string;
  /** sell total - buy total (fees included), quote units. */
  readonly expectedProfit: number;
  readonly expectedBps: number;
}

export type ArbOutcome = 'both_filled' | 'none_filled' | 'one_legged_corrected' | 'one_legged_open' | 'unknown';

export interface ArbCorrection {
  readonly policy: 'unwind' | 'hedge';
  /** Base units the legs differed by. */
  readonly excess: string;
  readonly venue: string;
  readonly side: Side;
  /** Estimated loss of the corrective order (quote units, fees included) from the book before sending. */
  readonly estimatedLoss: number;
  readonly maxLegLoss: string | undefined;
  /** Sent, or why not. */
  readonly sent: boolean;
  readonly reason: string | undefined;
  readonly order: OrderResult | undefined;
}

export interface ArbReport {
  readonly planId: string;
  readonly preview: ArbPreview;
  readonly legs: {readonly buy: OrderResult; readonly sell: OrderResult};
  readonly outcome: ArbOutcome;
  readonly correction: ArbCorrection | undefined;
  /** Base units bought minus sold after everything (0 when flat). */
  readonly residual: string;
  /** Quote received minus quote spent over every order of the plan, fees in quote included. */
  readonly realizedPnl: string;
  /** 0 when both legs filled or the one-legged fill was corrected; 4 otherwise. */
  readonly exitCode: ExitCode;
}

/**
 * `arb execute --best`: the intent for the best cross-venue opportunity of a
 * fresh scan (of `symbol` when given; never one found through a quote group).
 */
export async function bestArbIntent(deps: ArbDeps, request: {readonly symbol?: string; readonly minBps: number; readonly maxAgeMs: number; readonly amount?: string}): Promise<ArbIntent> {
  const scan = await scanArb(deps, {
    symbols: request.symbol ? [request.symbol] : [],
    minBps: request.minBps,
    maxAgeMs: request.maxAgeMs,
    ...(request.amount ? {maxSize: Number(request.amount)} : {}),
  });
  const best = scan.opportunities.find((o): o is CrossOpportunity => o.kind === 'cross' && o.quoteGroup === undefined);
  if (!best) throw new UsageError('no cross-venue opportunity right now', 'see `xarb arb scan`');
  return intentFromOpportunity(best, request.maxAgeMs);
}

/** The intent for a scanner opportunity (cross-venue only). */
export function intentFromOpportunity(op: CrossOpportunity, maxAgeMs?: number): ArbIntent {
  return {
    buy: {venue: op.buy.venue, symbol: op.buy.symbol, limitPrice: dec(op.buy.limitPrice)},
    sell: {venue: op.sell.venue, symbol: op.sell.symbol, limitPrice: dec(op.sell.limitPrice)},
    amount: op.amount,
    ...(maxAgeMs === undefined ? {} : {maxAgeMs}),
    opportunityKey: op.key,
  };
}

interface LegData {
  readonly venue: Venue;
  readonly market: Market;
  readonly book: OrderBook;
  readonly balances: readonly Balance[] | undefined;
  /** Free balance of what the leg spends (quote for the buy, base for the sell). */
  readonly free: string | undefined;
}

async function legData(venue: Venue, symbol: string, side: Side): Promise<LegData> {
  const markets = await venue.loadMarkets();
  const market = markets.find((m) => m.symbol === symbol);
  if (!market) throw new UsageError(`${venue.info.id} does not list ${symbol}`);
  const [book, balances] = await Promise.all([venue.fetchOrderBook(symbol), venue.fetchBalances().catch(() => undefined)]);
  return {venue, market, book, balances, free: freeOf(balances, side === 'buy' ? market.quote : market.base)};
}

function checkLeg(side: Side, leg: ArbLegIntent, data: LegData, amount: string, fees: ExecutionEnv['config']['venues'], now: number, maxAgeMs: number): LegCheck {
  const m = data.market;
  const where = `${side} leg on ${leg.venue}`;
  if (!m.active) throw new NothingToPlaceError(`${where}: market ${m.symbol} is not active`);
  if (m.amountStep !== undefined && cmp(roundToStep(amount, dec(m.amountStep)), amount) !== 0) throw new NothingToPlaceError(`${where}: amount ${amount} is not a multiple of the step ${dec(m.amountStep)}`);
  if (m.minAmount !== undefined && cmp(amount, dec(m.minAmount)) < 0) throw new NothingToPlaceError(`${where}: amount ${amount} is below the minimum ${dec(m.minAmount)}`);
  const age = Math.max(0, now - Math.min(data.book.timestamp, data.book.receivedAt));
  if (isStale(data.book, now, maxAgeMs)) throw new EdgeGoneError(`${where}: the book is ${age} ms old (max ${maxAgeMs} ms)`, 'the data is stale; try again');
  const levels = side === 'buy' ? data.book.asks : data.book.bids;
  const n = Number(amount);
  const walk = walkLevels(levels, n);
  if (walk.unfilled > 0 || walk.worstPrice === undefined) throw new NothingToPlaceError(`${where}: the book holds only ${walk.filled} of ${amount}`);
  let limit = leg.limitPrice ?? dec(walk.worstPrice);
  if (m.priceStep !== undefined) limit = roundToStep(limit, dec(m.priceStep), side === 'buy' ? 'up' : 'down');
  const within = side === 'buy' ? walk.worstPrice <= Number(limit) : walk.worstPrice >= Number(limit);
  if (!within) throw new EdgeGoneError(`${where}: the book no longer fills ${amount} within the limit ${limit} (worst level ${walk.worstPrice})`, 'the opportunity moved; scan again');
  if (m.minCost !== undefined && walk.cost < m.minCost) throw new NothingToPlaceError(`${where}: order value ${walk.cost} is below the minimum ${m.minCost}`);
  const feeRate = fees[leg.venue]?.fees?.taker ?? m.taker;
  const fee = walk.cost * feeRate;
  const total = side === 'buy' ? walk.cost + fee : walk.cost - fee;
  if (data.free !== undefined) {
    if (side === 'buy' && total > Number(data.free)) throw new NothingToPlaceError(`${where}: needs ${total} ${m.quote}, ${data.free} free`, 'see `xarb balances`');
    if (side === 'sell' && cmp(amount, data.free) > 0) throw new NothingToPlaceError(`${where}: needs ${amount} ${m.base}, ${data.free} free`, 'see `xarb balances`');
  }
  return {side, venue: leg.venue, symbol: m.symbol, amount, limitPrice: limit, expectedPrice: walk.cost / n, feeRate, fee, total, bookAgeMs: age};
}

/** Checks both legs on fresh data; throws (UsageError / VenueError) when either cannot be taken. Sends nothing. */
export async function previewArb(env: ExecutionEnv, intent: ArbIntent): Promise<{preview: ArbPreview; data: {buy: LegData; sell: LegData}}> {
  if (intent.buy.venue === intent.sell.venue) throw new UsageError('the buy and sell venues must differ');
  const buyVenue = env.venues.get(intent.buy.venue);
  const sellVenue = env.venues.get(intent.sell.venue);
  if (!buyVenue || !sellVenue) throw new UsageError(`venue ${!buyVenue ? intent.buy.venue : intent.sell.venue} is not open`);
  const amount = dec(intent.amount);
  if (!isPositive(amount)) throw new UsageError('the amount must be positive');
  const [buy, sell] = await Promise.all([
    legData(buyVenue, intent.buy.symbol, 'buy').catch((e: unknown) => fail(intent.buy.venue, e)),
    legData(sellVenue, intent.sell.symbol, 'sell').catch((e: unknown) => fail(intent.sell.venue, e)),
  ]);
  const now = env.clock.now();
  const maxAge = intent.maxAgeMs ?? 10_000;
  const buyCheck = checkLeg('buy', intent.buy, buy, amount, env.config.venues, now, maxAge);
  const sellCheck = checkLeg('sell', intent.sell, sell, amount, env.config.venues, now, maxAge);
  const quote = quoteOf(sellCheck.symbol);
  if (quoteOf(buyCheck.symbol) !== quote) {
    // Different quotes of one group (USD vs USDT): profit figures use the sell leg's quote and are labelled by the caller.
  }
  const profit = sellCheck.total - buyCheck.total;
  const preview: ArbPreview = {intent, buy: buyCheck, sell: sellCheck, quote, expectedProfit: profit, expectedBps: (profit / buyCheck.total) * 10_000};
  return {preview, data: {buy, sell}};
}

function fail(venue: string, error: unknown): never {
  if (error instanceof UsageError || error instanceof VenueError) throw error;
  throw new VenueError(venue, error instanceof Error ? error.message : String(error));
}

/** A leg or corrective order as the one planned-order shape risk judges and execution places (taker: nothing rests). */
function planned(leg: number, check: Pick<LegCheck, 'venue' | 'symbol' | 'side' | 'amount' | 'expectedPrice' | 'feeRate' | 'fee' | 'total'>, type: 'limit' | 'market', book: OrderBook, price?: string, worst?: number): PlannedOrder {
  return {
    leg,
    venue: check.venue,
    symbol: check.symbol,
    side: check.side,
    type,
    amount: check.amount,
    ...(price === undefined ? {} : {price}),
    expectedPrice: check.expectedPrice,
    ...(worst === undefined ? {} : {worstPrice: worst}),
    cost: check.side === 'buy' ? check.total - check.fee : check.total + check.fee,
    feeRate: check.feeRate,
    fee: check.fee,
    total: check.total,
    resting: '0',
    mid: mid(book),
  };
}

/** Quote received minus quote spent over a set of orders (fees charged in the quote included). */
export function realizedPnl(results: readonly OrderResult[]): string {
  let pnl = '0';
  for (const r of results) {
    if (r.average === undefined || isZero(r.filled)) continue;
    const value = mul(r.filled, r.average);
    pnl = r.side === 'sell' ? add(pnl, value) : sub(pnl, value);
    const quote = quoteOf(r.symbol);
    for (const f of r.fees) if (f.currency === quote) pnl = sub(pnl, f.cost);
  }
  return pnl;
}

/** The real run refuses an edge that fees eat (profit after fees not positive). */
function edgeError(preview: ArbPreview): EdgeGoneError | undefined {
  if (preview.expectedProfit > 0) return undefined;
  return new EdgeGoneError(`the edge is gone: buying costs ${preview.buy.total.toFixed(8)} and selling returns ${preview.sell.total.toFixed(8)} ${preview.quote} after fees`, 'scan again');
}

type Previewed = {preview: ArbPreview; data: {buy: LegData; sell: LegData}};

/** Both legs as planned orders, and the risk inputs they are judged with. */
async function legOrders(env: ExecutionEnv, {preview, data}: Previewed): Promise<{riskInputs: RiskInputs; legs: PlannedOrder[]}> {
  const riskInputs = await gatherRiskInputs([...env.venues.values()], env.config, [
    {venue: preview.buy.venue, market: data.buy.market, book: data.buy.book, balances: data.buy.balances},
    {venue: preview.sell.venue, market: data.sell.market, book: data.sell.book, balances: data.sell.balances},
  ]);
  const legs = [
    planned(0, preview.buy, 'limit', data.buy.book, preview.buy.limitPrice, Number(preview.buy.limitPrice)),
    planned(1, preview.sell, 'limit', data.sell.book, preview.sell.limitPrice, Number(preview.sell.limitPrice)),
  ];
  return {riskInputs, legs};
}

/** Live legs refused where our client id cannot round-trip (place.ts liveRefusal), or undefined. */
export function arbLiveRefusal(env: Pick<ExecutionEnv, 'venues'>, preview: {readonly buy: {readonly venue: string}; readonly sell: {readonly venue: string}}): XarbError | undefined {
  return liveRefusal([env.venues.get(preview.buy.venue), env.venues.get(preview.sell.venue)]);
}

/**
 * A dry run's verdict on a previewed trade: the checks executeArb makes
 * before sending (live refusal, the edge after fees, then the trading state
 * and every risk limit over both legs, by the same risk function, nothing
 * written). Returns the error the real run would stop with, or undefined
 * when it would send.
 */
export async function arbDryRunDenial(env: ExecutionEnv, previewed: Previewed): Promise<XarbError | undefined> {
  const refused = arbLiveRefusal(env, previewed.preview);
  if (refused) return refused;
  const noEdge = edgeError(previewed.preview);
  if (noEdge) return noEdge;
  const {riskInputs, legs} = await legOrders(env, previewed);
  const denial = riskDenial(env, legs, riskInputs);
  return denial ? denialError(denial) : undefined;
}

/**
 * Executes a previewed opportunity. `key` makes the plan id (use the
 * opportunity key plus the invocation, or the user's --client-id).
 */
export async function executeArb(env: ExecutionEnv, previewed: Previewed, policy: ArbPolicy, key: string = invocationKey(env.clock)): Promise<ArbReport> {
  const {preview, data} = previewed;
  const refused = arbLiveRefusal(env, preview);
  if (refused) throw refused;
  const noEdge = edgeError(preview);
  if (noEdge) throw noEdge;
  const repo = new OrdersRepo(env.db, env.clock);
  const intentId = {buy: preview.buy.venue, sell: preview.sell.venue, symbol: preview.buy.symbol, sellSymbol: preview.sell.symbol, amount: preview.buy.amount, buyLimit: preview.buy.limitPrice, sellLimit: preview.sell.limitPrice};
  const planId = planIdFor('arb', intentId, key);
  const {riskInputs, legs} = await legOrders(env, previewed);
  const written = await writeAhead(env, {planId, kind: 'arb', intent: intentId, plan: preview, orders: legs, newPlan: true}, riskInputs);
  let [buyOrder, sellOrder] = (await Promise.all(written.map((o) => sendOrder(env, o)))) as [JournalOrder, JournalOrder];

  // Immediate-or-cancel: a resting remainder is canceled so what filled is final.
  const open = [buyOrder, sellOrder].filter((o) => o.status === 'open');
  if (open.length > 0) {
    await cancelOrders(env, open);
    buyOrder = repo.get(buyOrder.id)!;
    sellOrder = repo.get(sellOrder.id)!;
  }
  const results = () => ({buy: orderResult(env.db, env.clock, repo.get(buyOrder.id)!), sell: orderResult(env.db, env.clock, repo.get(sellOrder.id)!)});
  let legResults = results();
  const unknown = [buyOrder, sellOrder].some((o) => o.status === 'unknown' || o.status === 'pending_submit' || o.status === 'open');
  const diff = sub(legResults.buy.filled, legResults.sell.filled);
  let correction: ArbCorrection | undefined;
  let outcome: ArbOutcome;
  if (unknown) outcome = 'unknown';
  else if (isZero(diff)) outcome = isZero(legResults.buy.filled) ? 'none_filled' : 'both_filled';
  else {
    correction = await correct(env, planId, policy, diff, data, legResults, riskInputs);
    outcome = correction.sent && correction.order && correction.order.status === 'closed' && cmp(correction.order.filled, correction.excess) === 0 ? 'one_legged_corrected' : 'one_legged_open';
  }
  legResults = results();
  const all = repo.list({planId, limit: 100}).map((o) => orderResult(env.db, env.clock, o));
  let residual = '0';
  for (const r of all) residual = r.side === 'buy' ? add(residual, r.filled) : sub(residual, r.filled);
  new PlansRepo(env.db, env.clock).setStatus(planId, outcome === 'both_filled' || outcome === 'one_legged_corrected' ? 'done' : outcome === 'none_filled' ? 'failed' : outcome === 'unknown' ? 'unknown' : 'partial');
  const exitCode = outcome === 'both_filled' || outcome === 'one_legged_corrected' ? ExitCode.ok : ExitCode.venueFailed;
  const report: ArbReport = {planId, preview, legs: legResults, outcome, correction, residual, realizedPnl: realizedPnl(all), exitCode};
  if (env.alerts && (outcome === 'one_legged_corrected' || outcome === 'one_legged_open' || outcome === 'unknown')) await env.alerts.notify(arbAlert(report));
  return report;
}

async function correct(
  env: ExecutionEnv,
  planId: string,
  policy: ArbPolicy,
  diff: string,
  data: {buy: LegData; sell: LegData},
  legs: {buy: OrderResult; sell: OrderResult},
  risk: Parameters<typeof writeAhead>[2],
): Promise<ArbCorrection> {
  const boughtMore = cmp(diff, 0) > 0;
  const excess = abs(diff);
  // unwind: reverse the over-filled leg on its own venue. hedge: finish the short leg on the other venue.
  const target = policy.legPolicy === 'unwind' ? (boughtMore ? data.buy : data.sell) : boughtMore ? data.sell : data.buy;
  const side: Side = boughtMore ? 'sell' : 'buy';
  const venue = target.venue.info.id;
  const base: Omit<ArbCorrection, 'estimatedLoss' | 'sent' | 'reason' | 'order'> = {policy: policy.legPolicy, excess, venue, side, maxLegLoss: policy.maxLegLoss};
  const m = target.market;
  const amount = m.amountStep === undefined ? excess : roundToStep(excess, dec(m.amountStep));
  let book: OrderBook;
  try {
    book = await target.venue.fetchOrderBook(m.symbol);
  } catch (error) {
    return {...base, estimatedLoss: NaN, sent: false, reason: `no book from ${venue}: ${error instanceof Error ? error.message : String(error)}`, order: undefined};
  }
  const walk = walkLevels(side === 'buy' ? book.asks : book.bids, Number(amount));
  const feeRate = env.config.venues[venue]?.fees?.taker ?? m.taker;
  // Loss relative to the price of the leg that filled: what closing the gap costs.
  const filledLeg = boughtMore ? legs.buy : legs.sell;
  const reference = filledLeg.average === undefined ? NaN : Number(filledLeg.average);
  const proceeds = walk.cost * (side === 'sell' ? 1 - feeRate : 1 + feeRate);
  const estimatedLoss = side === 'sell' ? Math.max(0, Number(amount) * reference - proceeds) : Math.max(0, proceeds - Number(amount) * reference);
  if (!isPositive(amount) || (m.minAmount !== undefined && cmp(amount, dec(m.minAmount)) < 0)) {
    return {...base, estimatedLoss, sent: false, reason: `the difference ${excess} is below the market minimum on ${venue}; left open`, order: undefined};
  }
  if (walk.unfilled > 0) return {...base, estimatedLoss, sent: false, reason: `the book on ${venue} holds only ${walk.filled} of ${amount}`, order: undefined};
  // Without a reference price the loss is unknown (NaN compares false against any cap): never send blind.
  if (!Number.isFinite(reference) || reference <= 0 || !Number.isFinite(estimatedLoss)) {
    const why = Number.isFinite(reference) && reference > 0 ? 'the estimated loss is not a number' : `the filled leg on ${filledLeg.venue} has no average price`;
    return {...base, estimatedLoss, sent: false, reason: `${why}, so the loss cannot be checked; not sent, needs manual action`, order: undefined};
  }
  if (policy.maxLegLoss !== undefined && estimatedLoss > Number(policy.maxLegLoss)) {
    return {...base, estimatedLoss, sent: false, reason: `estimated loss ${estimatedLoss.toFixed(8)} exceeds maxLegLoss ${policy.maxLegLoss}; left open`, order: undefined};
  }
  const fee = walk.cost * feeRate;
  const check = {venue, symbol: m.symbol, side, amount, expectedPrice: walk.average ?? 0, feeRate, fee, total: side === 'buy' ? walk.cost + fee : walk.cost - fee};
  let written: JournalOrder[];
  try {
    written = await writeAhead(env, {planId, kind: 'arb', intent: {}, plan: {}, orders: [planned(2, check, 'market', book, undefined, walk.worstPrice)], newPlan: false}, risk);
  } catch (error) {
    return {...base, estimatedLoss, sent: false, reason: `denied: ${error instanceof Error ? error.message : String(error)}`, order: undefined};
  }
  const sent = await sendOrder(env, written[0]!);
  return {...base, estimatedLoss, sent: true, reason: undefined, order: orderResult(env.db, env.clock, sent)};
}

/** The alert for an arbitrage whose legs needed a correction (unwind or hedge) or need a person. */
function arbAlert(r: ArbReport): Alert {
  const what =
    r.outcome === 'one_legged_corrected'
      ? `one leg filled more by ${r.correction?.excess}; ${r.correction?.policy} applied`
      : r.outcome === 'one_legged_open'
        ? `one leg filled more by ${r.correction?.excess}; exposure left open, needs a person${r.correction?.reason ? `: ${r.correction.reason}` : ''}`
        : 'a leg has no answer; run `xarb reconcile --fix` to settle it';
  return {
    kind: 'arb.leg',
    summary: `arb ${r.preview.buy.symbol} ${r.preview.buy.venue} -> ${r.preview.sell.venue}: ${what}`,
    ref: r.planId,
    data: {
      outcome: r.outcome,
      needsPerson: r.outcome !== 'one_legged_corrected',
      buy: {venue: r.legs.buy.venue, status: r.legs.buy.status, filled: r.legs.buy.filled},
      sell: {venue: r.legs.sell.venue, status: r.legs.sell.status, filled: r.legs.sell.filled},
      correction: r.correction ? {policy: r.correction.policy, venue: r.correction.venue, side: r.correction.side, excess: r.correction.excess, sent: r.correction.sent} : null,
      residual: r.residual,
    },
  };
}
