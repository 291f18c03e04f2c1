/**
 * Two-sided book walking for a cross-venue trade: buy on one venue's asks,
 * sell the same size on another venue's bids, taker fees on both.
 *
 * Invariants:
 * - The size grows level by level only while the marginal unit is profitable
 *   after fees: bid * (1 - sellFee) > ask * (1 + buyFee). Every unit inside
 *   the size therefore earns money, so the total net profit is positive.
 * - The size never exceeds maxSize, maxNotional (buy notional), the sell
 *   venue's base balance, the buy venue's quote balance (fee included), or
 *   either book's depth.
 * - The final size is a multiple of the common amount step and satisfies
 *   each market's minimum amount and notional. When the profitable size is
 *   under a minimum, the minimum itself is tried: it is accepted only if the
 *   whole trade still nets a profit and no cap forbids it.
 * Pure: numbers in, numbers out (analytics); the amount to send is also
 * returned as an exact decimal string.
 */
import {walkLevels} from '../market/book.js';
import {dec, fromUnits, num, roundToStep, toUnits} from '../money/decimal.js';
import type {Level} from '../types.js';
import type {SizeLimit} from './types.js';

export interface CrossWalkInput {
  /** Asks of the buy venue, best (lowest) first. */
  readonly asks: readonly Level[];
  /** Bids of the sell venue, best (highest) first. */
  readonly bids: readonly Level[];
  /** Taker fee rates as fractions. */
  readonly buyFee: number;
  readonly sellFee: number;
  /** Base units. */
  readonly maxSize?: number;
  /** Quote units of buy notional. */
  readonly maxNotional?: number;
  /** Free quote on the buy venue (pays notional and fee). */
  readonly buyQuoteBalance?: number;
  /** Free base on the sell venue. */
  readonly sellBaseBalance?: number;
  /** Common amount step of both markets (see commonStep). */
  readonly amountStep?: number;
  /** Largest of both markets' minimum amounts. */
  readonly minAmount?: number;
  readonly buyMinCost?: number;
  readonly sellMinCost?: number;
}

export interface LegFill {
  readonly notional: number;
  readonly avgPrice: number;
  readonly limitPrice: number;
  readonly topPrice: number;
  readonly fee: number;
}

export interface CrossWalk {
  readonly ok: true;
  readonly size: number;
  readonly amount: string;
  readonly limitedBy: SizeLimit;
  /** The size the marginal walk found before step rounding and minimums. */
  readonly profitableSize: number;
  readonly buy: LegFill;
  readonly sell: LegFill;
  readonly grossProfit: number;
  readonly fees: number;
  readonly netProfit: number;
  readonly netBps: number;
}

export interface CrossWalkRejection {
  readonly ok: false;
  readonly reason: 'unprofitable' | 'below-minimum' | 'no-balance';
  readonly detail: string;
  readonly profitableSize: number;
}

/** Edge of the marginal unit at the top of two books, after fees (quote per base unit). */
export function marginalEdge(ask: number, bid: number, buyFee: number, sellFee: number): number {
  return bid * (1 - sellFee) - ask * (1 + buyFee);
}

/**
 * The smallest step both markets accept: the least common multiple of two
 * tick sizes (0.001 and 0.0001 -> 0.001; 0.002 and 0.003 -> 0.006).
 */
export function commonStep(a: number | undefined, b: number | undefined): number | undefined {
  const pos = (x: number | undefined) => (x !== undefined && Number.isFinite(x) && x > 0 ? x : undefined);
  const x = pos(a);
  const y = pos(b);
  if (x === undefined) return y;
  if (y === undefined) return x;
  const ux = toUnits(x);
  const uy = toUnits(y);
  let p = ux;
  let q = uy;
  while (q !== 0n) [p, q] = [q, p % q];
  return num(fromUnits((ux / p) * uy));
}

interface Marginal {
  size: number;
  limitedBy: SizeLimit;
}

function marginalWalk(input: CrossWalkInput): Marginal {
  const {asks, bids, buyFee, sellFee} = input;
  let i = 0;
  let j = 0;
  let remA = asks[0]?.[1] ?? 0;
  let remB = bids[0]?.[1] ?? 0;
  let size = 0;
  let spend = 0;
  while (i < asks.length && j < bids.length) {
    if (!(remA > 0)) {
      i++;
      remA = asks[i]?.[1] ?? 0;
      continue;
    }
    if (!(remB > 0)) {
      j++;
      remB = bids[j]?.[1] ?? 0;
      continue;
    }
    const a = asks[i]![0];
    const b = bids[j]![0];
    if (marginalEdge(a, b, buyFee, sellFee) <= 0) return {size, limitedBy: 'profitability'};
    let q = Math.min(remA, remB);
    let stop: SizeLimit | undefined;
    const cap = (room: number, why: SizeLimit) => {
      if (room <= q) {
        q = Math.max(0, room);
        stop = why;
      }
    };
    if (input.maxSize !== undefined) cap(input.maxSize - size, 'max-size');
    if (input.sellBaseBalance !== undefined) cap(input.sellBaseBalance - size, 'balance-sell');
    if (input.maxNotional !== undefined) cap((input.maxNotional - spend) / a, 'max-notional');
    if (input.buyQuoteBalance !== undefined) cap((input.buyQuoteBalance / (1 + buyFee) - spend) / a, 'balance-buy');
    size += q;
    spend += q * a;
    remA -= q;
    remB -= q;
    if (stop !== undefined) return {size, limitedBy: stop};
  }
  return {size, limitedBy: 'depth'};
}

type Eval = {buy: LegFill; sell: LegFill; gross: number; fees: number; net: number} | undefined;

/** Cost of exactly `size` on both books; undefined when a book is too thin. */
export function evaluateCross(input: CrossWalkInput, size: number): Eval {
  if (!(size > 0)) return undefined;
  const bw = walkLevels(input.asks, size);
  const sw = walkLevels(input.bids, size);
  if (bw.unfilled > 0 || sw.unfilled > 0 || bw.average === undefined || sw.average === undefined) return undefined;
  const buyFee = bw.cost * input.buyFee;
  const sellFee = sw.cost * input.sellFee;
  return {
    buy: {notional: bw.cost, avgPrice: bw.average, limitPrice: bw.worstPrice!, topPrice: input.asks[0]![0], fee: buyFee},
    sell: {notional: sw.cost, avgPrice: sw.average, limitPrice: sw.worstPrice!, topPrice: input.bids[0]![0], fee: sellFee},
    gross: sw.cost - bw.cost,
    fees: buyFee + sellFee,
    net: sw.cost - sellFee - (bw.cost + buyFee),
  };
}

function roundSize(size: number, step: number | undefined, mode: 'down' | 'up'): string {
  if (!(size > 0)) return '0';
  // Trim float noise (0.30000000000000004) before rounding to the step.
  const text = dec(Number(size.toPrecision(12)));
  return roundToStep(text, step, mode);
}

function meetsMinimums(input: CrossWalkInput, size: number, e: NonNullable<Eval>): boolean {
  if (input.minAmount !== undefined && size < input.minAmount) return false;
  if (input.buyMinCost !== undefined && e.buy.notional < input.buyMinCost) return false;
  if (input.sellMinCost !== undefined && e.sell.notional < input.sellMinCost) return false;
  return true;
}

function withinCaps(input: CrossWalkInput, size: number, e: NonNullable<Eval>): SizeLimit | undefined {
  const tol = 1 + 1e-12;
  if (input.maxSize !== undefined && size > input.maxSize * tol) return 'max-size';
  if (input.sellBaseBalance !== undefined && size > input.sellBaseBalance * tol) return 'balance-sell';
  if (input.maxNotional !== undefined && e.buy.notional > input.maxNotional * tol) return 'max-notional';
  if (input.buyQuoteBalance !== undefined && e.buy.notional + e.buy.fee > input.buyQuoteBalance * tol) return 'balance-buy';
  return undefined;
}

function accept(size: number, amount: string, limitedBy: SizeLimit, profitableSize: number, e: NonNullable<Eval>): CrossWalk {
  return {
    ok: true,
    size,
    amount,
    limitedBy,
    profitableSize,
    buy: e.buy,
    sell: e.sell,
    grossProfit: e.gross,
    fees: e.fees,
    netProfit: e.net,
    netBps: (e.net / e.buy.notional) * 10_000,
  };
}

/** Finds the executable size and its economics, or says why there is none. */
export function walkCross(input: CrossWalkInput): CrossWalk | CrossWalkRejection {
  const {asks, bids} = input;
  const a0 = asks[0]?.[0];
  const b0 = bids[0]?.[0];
  if (a0 === undefined || b0 === undefined) return {ok: false, reason: 'unprofitable', detail: 'a book side is empty', profitableSize: 0};
  const marginal = marginalWalk(input);
  const balanceLimited = marginal.limitedBy === 'balance-buy' || marginal.limitedBy === 'balance-sell';
  if (!(marginal.size > 0)) {
    if (balanceLimited) return {ok: false, reason: 'no-balance', detail: `no free balance (${marginal.limitedBy})`, profitableSize: 0};
    return {ok: false, reason: 'unprofitable', detail: `top-of-book edge after fees ${marginalEdge(a0, b0, input.buyFee, input.sellFee).toPrecision(4)} per unit`, profitableSize: 0};
  }
  const amount = roundSize(marginal.size, input.amountStep, 'down');
  const size = num(amount);
  const e = evaluateCross(input, size);
  if (e && meetsMinimums(input, size, e) && e.net > 0) return accept(size, amount, marginal.limitedBy, marginal.size, e);

  // The profitable size is under a minimum (or a step): try the smallest size the markets accept.
  let target = Math.max(input.minAmount ?? 0, input.amountStep ?? 0, size);
  let forced: {size: number; amount: string; e: NonNullable<Eval>} | undefined;
  for (let attempt = 0; attempt < 4; attempt++) {
    const amt = roundSize(target, input.amountStep, 'up');
    const s = num(amt);
    const ev = evaluateCross(input, s);
    if (!ev) break;
    if (meetsMinimums(input, s, ev)) {
      forced = {size: s, amount: amt, e: ev};
      break;
    }
    const scale = Math.max(
      input.buyMinCost !== undefined ? input.buyMinCost / ev.buy.notional : 1,
      input.sellMinCost !== undefined ? input.sellMinCost / ev.sell.notional : 1,
      input.minAmount !== undefined ? input.minAmount / s : 1,
    );
    target = s * Math.max(scale, 1 + 1e-9);
  }
  const minText = describeMinimums(input);
  if (!forced) return {ok: false, reason: 'below-minimum', detail: `profitable size ${marginal.size.toPrecision(6)} is under ${minText} and the books cannot fill the minimum`, profitableSize: marginal.size};
  const capped = withinCaps(input, forced.size, forced.e);
  if (capped !== undefined) {
    const reason = capped === 'balance-buy' || capped === 'balance-sell' ? 'no-balance' : 'below-minimum';
    return {ok: false, reason, detail: `the market minimum ${forced.amount} exceeds ${capped}`, profitableSize: marginal.size};
  }
  if (!(forced.e.net > 0)) {
    return {ok: false, reason: 'below-minimum', detail: `profitable size ${marginal.size.toPrecision(6)} is under ${minText}; at the minimum ${forced.amount} the trade nets ${forced.e.net.toPrecision(4)}`, profitableSize: marginal.size};
  }
  return accept(forced.size, forced.amount, 'minimum', marginal.size, forced.e);
}

function describeMinimums(input: CrossWalkInput): string {
  const parts: string[] = [];
  if (input.minAmount !== undefined) parts.push(`min amount ${input.minAmount}`);
  if (input.buyMinCost !== undefined) parts.push(`buy min notional ${input.buyMinCost}`);
  if (input.sellMinCost !== undefined) parts.push(`sell min notional ${input.sellMinCost}`);
  if (input.amountStep !== undefined) parts.push(`step ${input.amountStep}`);
  return parts.join(', ') || 'the market minimum';
}
