/**
 * Triangular arbitrage within one venue, pure.
 *
 * Every spot market BASE/QUOTE with a fresh two-sided quote gives two directed
 * edges between assets: QUOTE -> BASE (buy: pay the ask, rate (1 - fee) / ask)
 * and BASE -> QUOTE (sell: hit the bid, rate bid * (1 - fee)). Direction comes
 * from the market's own base and quote, never from the order of letters, and
 * only bid/ask are used (never last), so an inverted pair (ETH/BTC vs BTC/ETH)
 * or a stale last trade cannot fake a cycle. The fee is taken from what each
 * leg receives.
 *
 * A cycle A -> B -> C -> A is profitable when the product of its three rates
 * beats 1. Cycles are enumerated through adjacency only: for each edge u -> v
 * with u the smallest index of the cycle, the third asset runs over the
 * smaller of the two neighbour sets, so thousands of markets stay cheap
 * (O(E * min degree)). Each cycle is reported once per direction, rotated to
 * start at its most quote-like asset (USD, USDT, USDC, EUR, BTC, ETH, then the
 * asset with most markets).
 *
 * The depth stage (walkCycle) grows the starting amount while the product of
 * the three marginal rates still beats 1, capped by every leg's depth, then
 * rounds each leg's base amount down to its step and checks its minimum
 * amount and notional. Dust left in intermediate assets by rounding is valued
 * at zero.
 */
import {ageMs, walkLevels} from '../market/book.js';
import {dec, num, roundToStep} from '../money/decimal.js';
import type {Level, Market, OrderBook, Quote} from '../types.js';
import {type FeeOverrides, type TakerFee, tryTakerFee} from './fees.js';
import {bookKey, isScannable} from './cross.js';
import type {SizeLimit, Skip, StaleItem, TriangularLeg, TriangularOpportunity} from './types.js';
import type {Valuer} from './valuation.js';

const PREFERRED_START = ['USD', 'USDT', 'USDC', 'EUR', 'BTC', 'ETH'];

export interface TriEdge {
  readonly market: Market;
  readonly side: 'buy' | 'sell';
  readonly from: string;
  readonly to: string;
  /** Units of `to` per unit of `from` at the top of the book, after the fee. */
  readonly rate: number;
  readonly fee: TakerFee;
}

export interface TriCandidate {
  readonly venue: string;
  readonly assets: readonly [string, string, string];
  readonly legs: readonly [TriEdge, TriEdge, TriEdge];
  readonly topRate: number;
}

export interface TriScreenOptions {
  readonly now: number;
  readonly maxAgeMs: number;
  readonly minBps: number;
  readonly fees?: FeeOverrides;
  readonly maxCandidates: number;
}

export interface TriScreen {
  readonly venue: string;
  readonly marketsIndexed: number;
  readonly cyclesChecked: number;
  readonly candidates: readonly TriCandidate[];
  readonly truncated: number;
  readonly stale: readonly StaleItem[];
}

export function screenTriangular(venue: string, markets: readonly Market[], quotes: readonly Quote[], options: TriScreenOptions): TriScreen {
  const bySymbol = new Map<string, Market>();
  for (const m of markets) if (isScannable(m)) bySymbol.set(m.symbol, m);
  const index = new Map<string, number>();
  const names: string[] = [];
  const out: Map<number, TriEdge>[] = [];
  const node = (asset: string): number => {
    let i = index.get(asset);
    if (i === undefined) {
      i = names.length;
      index.set(asset, i);
      names.push(asset);
      out.push(new Map());
    }
    return i;
  };
  const put = (u: number, v: number, edge: TriEdge) => {
    const existing = out[u]!.get(v);
    if (!existing || edge.rate > existing.rate) out[u]!.set(v, edge);
  };
  const stale: StaleItem[] = [];
  let indexed = 0;
  for (const q of quotes) {
    const m = bySymbol.get(q.symbol);
    if (!m) continue;
    const age = ageMs(q, options.now);
    if (age > options.maxAgeMs) {
      stale.push({venue, symbol: q.symbol, ageMs: age});
      continue;
    }
    const {bid, ask} = q;
    if (bid === undefined || ask === undefined || !(bid > 0) || !(ask > 0) || bid > ask) continue;
    const fee = tryTakerFee(venue, m, options.fees);
    if (!fee) continue;
    indexed++;
    const b = node(m.base);
    const qn = node(m.quote);
    put(qn, b, {market: m, side: 'buy', from: m.quote, to: m.base, rate: (1 - fee.rate) / ask, fee});
    put(b, qn, {market: m, side: 'sell', from: m.base, to: m.quote, rate: bid * (1 - fee.rate), fee});
  }

  const threshold = 1 + Math.max(0, options.minBps) / 10_000;
  const found: TriCandidate[] = [];
  let checked = 0;
  const n = names.length;
  for (let u = 0; u < n; u++) {
    const outU = out[u]!;
    for (const [v, e1] of outU) {
      if (v <= u) continue;
      const outV = out[v]!;
      const small = outU.size <= outV.size ? outU : outV;
      const other = small === outU ? outV : outU;
      for (const w of small.keys()) {
        if (w <= u || w === v || !other.has(w)) continue;
        const e2 = outV.get(w);
        const e3 = out[w]!.get(u);
        if (!e2 || !e3) continue;
        checked++;
        const rate = e1.rate * e2.rate * e3.rate;
        if (rate > threshold && rate > 1) found.push(rotate(venue, [e1, e2, e3], rate, (a) => out[index.get(a)!]!.size));
      }
    }
  }
  found.sort((a, b) => b.topRate - a.topRate || (a.assets.join() < b.assets.join() ? -1 : 1));
  const kept = found.slice(0, Math.max(0, options.maxCandidates));
  return {venue, marketsIndexed: indexed, cyclesChecked: checked, candidates: kept, truncated: found.length - kept.length, stale};
}

function startScore(asset: string, degree: number): number {
  const p = PREFERRED_START.indexOf(asset);
  return p >= 0 ? 1e9 - p : degree;
}

function rotate(venue: string, edges: readonly [TriEdge, TriEdge, TriEdge], rate: number, degree: (asset: string) => number): TriCandidate {
  let start = 0;
  let best = -Infinity;
  for (let i = 0; i < 3; i++) {
    const asset = edges[i]!.from;
    const score = startScore(asset, degree(asset));
    if (score > best || (score === best && asset < edges[start]!.from)) {
      best = score;
      start = i;
    }
  }
  const legs = [edges[start]!, edges[(start + 1) % 3]!, edges[(start + 2) % 3]!] as const;
  return {venue, assets: [legs[0].from, legs[1].from, legs[2].from], legs, topRate: rate};
}

export interface CycleLegInput {
  readonly market: Market;
  readonly side: 'buy' | 'sell';
  readonly from: string;
  readonly to: string;
  readonly fee: TakerFee;
  /** asks for a buy leg, bids for a sell leg, best first. */
  readonly levels: readonly Level[];
}

export interface CycleWalk {
  readonly ok: true;
  readonly startAmount: number;
  readonly endAmount: number;
  readonly legs: readonly [TriangularLeg, TriangularLeg, TriangularLeg];
  readonly limitedBy: SizeLimit;
}

export interface CycleRejection {
  readonly ok: false;
  readonly reason: 'unprofitable' | 'below-minimum' | 'no-balance';
  readonly detail: string;
}

interface Cursor {
  i: number;
  rem: number;
}

/** Marginal rate of a leg at a level price, in `to` per `from`. */
function levelRate(leg: CycleLegInput, price: number): number {
  return leg.side === 'buy' ? (1 - leg.fee.rate) / price : price * (1 - leg.fee.rate);
}

function marginalCycle(legs: readonly CycleLegInput[], caps: {maxStart?: number; startBalance?: number}): {start: number; limitedBy: SizeLimit} {
  const cur: Cursor[] = legs.map((l) => ({i: 0, rem: l.levels[0]?.[1] ?? 0}));
  let x = 0;
  const guard = legs.reduce((s, l) => s + l.levels.length, 0) + 10;
  for (let iter = 0; iter < guard; iter++) {
    for (let k = 0; k < 3; k++) {
      const c = cur[k]!;
      const levels = legs[k]!.levels;
      while (c.i < levels.length && !(c.rem > levels[c.i]![1] * 1e-12)) {
        c.i++;
        c.rem = levels[c.i]?.[1] ?? 0;
      }
      if (c.i >= levels.length) return {start: x, limitedBy: 'depth'};
    }
    const prices = cur.map((c, k) => legs[k]!.levels[c.i]![0]);
    const r = prices.map((p, k) => levelRate(legs[k]!, p));
    if (!(r[0]! * r[1]! * r[2]! > 1)) return {start: x, limitedBy: 'profitability'};
    const mult = [1, r[0]!, r[0]! * r[1]!];
    let dx = Infinity;
    for (let k = 0; k < 3; k++) {
      const capIn = legs[k]!.side === 'buy' ? cur[k]!.rem * prices[k]! : cur[k]!.rem;
      dx = Math.min(dx, capIn / mult[k]!);
    }
    let stop: SizeLimit | undefined;
    if (caps.maxStart !== undefined && x + dx >= caps.maxStart) {
      dx = Math.max(0, caps.maxStart - x);
      stop = 'max-notional';
    }
    if (caps.startBalance !== undefined && x + dx >= caps.startBalance) {
      dx = Math.max(0, caps.startBalance - x);
      stop = 'balance-buy';
    }
    for (let k = 0; k < 3; k++) {
      const input = dx * mult[k]!;
      cur[k]!.rem -= legs[k]!.side === 'buy' ? input / prices[k]! : input;
    }
    x += dx;
    if (stop) return {start: x, limitedBy: stop};
  }
  return {start: x, limitedBy: 'depth'};
}

/** Base units that a quote budget buys from asks (best first), before fees. */
export function baseForQuote(asks: readonly Level[], budget: number): number {
  let left = budget;
  let base = 0;
  for (const [price, amount] of asks) {
    if (!(left > 0)) break;
    if (!(amount > 0)) continue;
    const cost = price * amount;
    if (cost <= left) {
      base += amount;
      left -= cost;
    } else {
      base += left / price;
      left = 0;
    }
  }
  return base;
}

function roundDown(value: number, step: number | undefined): string {
  if (!(value > 0)) return '0';
  return roundToStep(dec(Number(value.toPrecision(12))), step, 'down');
}

interface LegEval {
  readonly leg: TriangularLeg;
  readonly base: number;
  readonly notional: number;
}

type CycleEval = {legs: LegEval[]; start: number; end: number; shortfall: number} | undefined;

/**
 * Executes the cycle on paper for a starting amount: each leg's base amount
 * rounded down to its step. `shortfall` > 1 says how much larger the start
 * must be for every leg to meet its minimums.
 */
export function evaluateCycle(legs: readonly CycleLegInput[], startAmount: number): CycleEval {
  let input = startAmount;
  const out: LegEval[] = [];
  let shortfall = 1;
  let start = 0;
  for (let k = 0; k < 3; k++) {
    const leg = legs[k]!;
    const m = leg.market;
    const wantBase = leg.side === 'buy' ? baseForQuote(leg.levels, input) : input;
    const amount = roundDown(wantBase, m.amountStep);
    const base = num(amount);
    if (!(base > 0)) return undefined;
    const w = walkLevels(leg.levels, base);
    if (w.unfilled > 0 || w.average === undefined) return undefined;
    const spent = leg.side === 'buy' ? w.cost : base;
    const received = leg.side === 'buy' ? base * (1 - leg.fee.rate) : w.cost * (1 - leg.fee.rate);
    if (m.minAmount !== undefined && base < m.minAmount) shortfall = Math.max(shortfall, m.minAmount / base);
    if (m.minCost !== undefined && w.cost < m.minCost) shortfall = Math.max(shortfall, m.minCost / w.cost);
    if (k === 0) start = spent;
    out.push({
      base,
      notional: w.cost,
      leg: {
        symbol: m.symbol,
        side: leg.side,
        from: leg.from,
        to: leg.to,
        amountIn: spent,
        amountOut: received,
        baseAmount: amount,
        avgPrice: w.average,
        limitPrice: w.worstPrice!,
        feeRate: leg.fee.rate,
        feeSource: leg.fee.source,
      },
    });
    input = received;
  }
  return {legs: out, start, end: input, shortfall};
}

export function walkCycle(legs: readonly [CycleLegInput, CycleLegInput, CycleLegInput], caps: {maxStart?: number; startBalance?: number} = {}): CycleWalk | CycleRejection {
  const marginal = marginalCycle(legs, caps);
  if (!(marginal.start > 0)) {
    if (marginal.limitedBy === 'balance-buy') return {ok: false, reason: 'no-balance', detail: `no free ${legs[0].from}`};
    return {ok: false, reason: 'unprofitable', detail: 'the books do not beat 1 after fees at any size'};
  }
  let target = marginal.start;
  let limitedBy = marginal.limitedBy;
  for (let attempt = 0; attempt < 6; attempt++) {
    const e = evaluateCycle(legs, target);
    if (!e) break;
    if (e.shortfall <= 1) {
      const tol = 1 + 1e-9;
      if (caps.maxStart !== undefined && e.start > caps.maxStart * tol) return {ok: false, reason: 'below-minimum', detail: `the legs' minimums need ${e.start.toPrecision(6)} ${legs[0].from}, above the notional cap`};
      if (caps.startBalance !== undefined && e.start > caps.startBalance * tol) return {ok: false, reason: 'no-balance', detail: `the legs' minimums need ${e.start.toPrecision(6)} ${legs[0].from}, more than the free balance`};
      if (!(e.end > e.start)) {
        const why = attempt === 0 ? 'rounding to the steps removes the edge' : `at the legs' minimums the cycle returns ${e.end.toPrecision(6)} for ${e.start.toPrecision(6)}`;
        return {ok: false, reason: attempt === 0 ? 'unprofitable' : 'below-minimum', detail: why};
      }
      return {ok: true, startAmount: e.start, endAmount: e.end, legs: [e.legs[0]!.leg, e.legs[1]!.leg, e.legs[2]!.leg], limitedBy};
    }
    target = target * e.shortfall * (1 + 1e-9);
    limitedBy = 'minimum';
  }
  return {ok: false, reason: 'below-minimum', detail: `profitable start ${marginal.start.toPrecision(6)} ${legs[0].from} is under a leg's minimum amount, notional or step`};
}

export interface TriEvaluateOptions {
  readonly now: number;
  readonly maxAgeMs: number;
  /** Books of one venue further apart than this are not combined. */
  readonly maxSkewMs: number;
  readonly minBps: number;
  readonly minProfit: number;
  /** Start amount cap in the valuation currency. */
  readonly maxNotional?: number;
  readonly valuer: Valuer;
  /** Free balances of the venue, when known. */
  readonly balances?: ReadonlyMap<string, number>;
}

export interface TriEvaluation {
  readonly opportunities: readonly TriangularOpportunity[];
  readonly skipped: readonly Skip[];
  readonly belowThreshold: number;
}

export function evaluateTriangularCandidates(
  candidates: readonly TriCandidate[],
  books: ReadonlyMap<string, OrderBook>,
  bookErrors: ReadonlyMap<string, string>,
  options: TriEvaluateOptions,
): TriEvaluation {
  const opportunities: TriangularOpportunity[] = [];
  const skipped: Skip[] = [];
  let belowThreshold = 0;
  for (const c of candidates) {
    const label = `${c.assets.join('>')}>${c.assets[0]}`;
    const venues = [c.venue];
    const legBooks = c.legs.map((l) => books.get(bookKey(c.venue, l.market.symbol)));
    if (legBooks.some((b) => b === undefined)) {
      const err = c.legs.map((l) => bookErrors.get(bookKey(c.venue, l.market.symbol))).find((x) => x !== undefined) ?? 'no book';
      skipped.push({reason: 'book-error', symbol: label, venues, detail: err});
      continue;
    }
    const bs = legBooks as OrderBook[];
    const ages = bs.map((b) => ageMs(b, options.now));
    if (ages.some((a) => a > options.maxAgeMs)) {
      skipped.push({reason: 'book-stale', symbol: label, venues, detail: `book ages ${ages.join('/')} ms exceed ${options.maxAgeMs} ms`});
      continue;
    }
    const stamps = bs.map((b) => b.timestamp);
    const skew = Math.max(...stamps) - Math.min(...stamps);
    if (skew > options.maxSkewMs) {
      skipped.push({reason: 'book-skew', symbol: label, venues, detail: `leg books ${skew} ms apart (max ${options.maxSkewMs} ms)`});
      continue;
    }
    const legs = c.legs.map((l, k) => ({
      market: l.market,
      side: l.side,
      from: l.from,
      to: l.to,
      fee: l.fee,
      levels: l.side === 'buy' ? bs[k]!.asks : bs[k]!.bids,
    })) as unknown as [CycleLegInput, CycleLegInput, CycleLegInput];
    const start = c.assets[0];
    const rate = options.valuer(start);
    const walk = walkCycle(legs, {
      maxStart: options.maxNotional !== undefined && rate !== undefined ? options.maxNotional / rate : undefined,
      startBalance: options.balances ? (options.balances.get(start) ?? 0) : undefined,
    });
    if (!walk.ok) {
      skipped.push({reason: walk.reason === 'unprofitable' ? 'unprofitable-depth' : walk.reason, symbol: label, venues, detail: walk.detail});
      continue;
    }
    const net = walk.endAmount - walk.startAmount;
    const netBps = (net / walk.startAmount) * 10_000;
    const value = rate !== undefined ? net * rate : undefined;
    if (netBps < options.minBps || (value ?? net) < options.minProfit) {
      belowThreshold++;
      continue;
    }
    opportunities.push({
      kind: 'triangular',
      key: `tri:${c.venue}:${c.assets.join('>')}`,
      venue: c.venue,
      assets: c.assets,
      legs: walk.legs,
      topRate: c.topRate,
      startAmount: walk.startAmount,
      endAmount: walk.endAmount,
      netProfit: net,
      netBps,
      netValue: value,
      limitedBy: walk.limitedBy,
      observedAt: options.now,
    });
  }
  opportunities.sort((a, b) => (b.netValue ?? b.netProfit) - (a.netValue ?? a.netProfit) || (a.key < b.key ? -1 : 1));
  return {opportunities, skipped, belowThreshold};
}
