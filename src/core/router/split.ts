/**
 * `split` routing: walk the merged books of all venues, level by level in
 * order of fee-adjusted price (buy: price x (1 + taker), sell: price x
 * (1 - taker)), taking from each venue no more than its caps allow:
 * free balance (quote for buys, including the fee; base for sells), risk
 * caps per order (amount and notional) and the market's maximum. Each
 * venue's share is then rounded down to its amount step; a share below the
 * market's minimum amount or cost drops that venue and the walk is redone
 * without it; what rounding took off is offered back, in whole steps, to
 * the venues with room, best marginal price first.
 *
 * A limit intent walks only the levels that cross its price; what is left
 * rests as a limit order on the cheapest-fee venue with room.
 *
 * Invariants: the children's amounts sum to at most the intent's amount;
 * no child exceeds its venue's balance, caps or market rules; `unplanned`
 * says what no venue could take. Pure; O(L log V) for L levels walked.
 */
import {add, cmp, dec, mul, roundToStep, sub, sum} from '../money/decimal.js';
import {buildChild, planFromChildren, takerLevels, type Pricer} from './child.js';
import type {RouteIntent, RoutePlan, Skip, VenueCandidate} from './types.js';
import type {PlannedOrder} from '../types.js';

interface Cursor {
  readonly c: VenueCandidate;
  readonly levels: readonly (readonly [number, number])[];
  readonly sign: number; // +1 buy (lower effective price is better), -1 sell
  readonly feeMul: number;
  idx: number;
  left: number; // base left at the current level
  baseCap: number;
  costCap: number; // quote spendable before fees (buy balance, notional cap)
  alloc: number;
  cost: number;
}

const TINY = 1e-12;

function key(cur: Cursor): number {
  return cur.sign * cur.levels[cur.idx]![0] * cur.feeMul;
}

/** A binary heap of cursors keyed by effective price (best on top). */
class Heap {
  private readonly items: Cursor[] = [];
  get size(): number {
    return this.items.length;
  }
  push(x: Cursor): void {
    const a = this.items;
    a.push(x);
    let i = a.length - 1;
    const k = key(x);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (key(a[p]!) <= k) break;
      a[i] = a[p]!;
      i = p;
    }
    a[i] = x;
  }
  pop(): Cursor | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      let i = 0;
      const k = key(last);
      for (;;) {
        const l = 2 * i + 1;
        if (l >= a.length) break;
        const r = l + 1;
        const m = r < a.length && key(a[r]!) < key(a[l]!) ? r : l;
        if (key(a[m]!) >= k) break;
        a[i] = a[m]!;
        i = m;
      }
      a[i] = last;
    }
    return top;
  }
}

function caps(c: VenueCandidate, side: 'buy' | 'sell'): {base: number; cost: number} {
  let base = Infinity;
  let cost = Infinity;
  if (c.maxAmount !== undefined) base = Math.min(base, Number(c.maxAmount));
  if (c.market.maxAmount !== undefined) base = Math.min(base, c.market.maxAmount);
  if (side === 'sell' && c.baseFree !== undefined) base = Math.min(base, Number(c.baseFree));
  if (side === 'buy' && c.quoteFree !== undefined) cost = Math.min(cost, Number(c.quoteFree) / (1 + c.takerFee));
  if (c.maxNotional !== undefined) cost = Math.min(cost, c.maxNotional);
  return {base: Math.max(0, base), cost: Math.max(0, cost)};
}

/** Walks the merged books; returns per-venue base allocations (crossing part) and the amount left. */
function walkMerged(intent: RouteIntent, pool: readonly VenueCandidate[], want: number): {cursors: Cursor[]; left: number} {
  const heap = new Heap();
  const cursors: Cursor[] = [];
  for (const c of pool) {
    const levels = takerLevels(intent, c.book);
    const cap = caps(c, intent.side);
    const cur: Cursor = {
      c,
      levels,
      sign: intent.side === 'buy' ? 1 : -1,
      feeMul: intent.side === 'buy' ? 1 + c.takerFee : 1 - c.takerFee,
      idx: 0,
      left: levels[0]?.[1] ?? 0,
      baseCap: cap.base,
      costCap: cap.cost,
      alloc: 0,
      cost: 0,
    };
    cursors.push(cur);
    while (cur.idx < levels.length && !(levels[cur.idx]![1] > 0)) cur.left = levels[++cur.idx]?.[1] ?? 0;
    if (cur.idx < levels.length && cur.baseCap > TINY && cur.costCap > TINY) heap.push(cur);
  }
  let need = want;
  while (need > want * TINY && heap.size > 0) {
    const cur = heap.pop()!;
    const price = cur.levels[cur.idx]![0];
    const take = Math.min(cur.left, need, cur.baseCap, cur.costCap / price);
    cur.alloc += take;
    cur.cost += take * price;
    cur.baseCap -= take;
    cur.costCap -= take * price;
    cur.left -= take;
    need -= take;
    if (cur.baseCap <= TINY * want || cur.costCap <= TINY * price * want) continue; // venue exhausted
    if (cur.left <= TINY * want) {
      do cur.left = cur.levels[++cur.idx]?.[1] ?? 0;
      while (cur.idx < cur.levels.length && !(cur.left > 0));
      if (cur.idx < cur.levels.length) heap.push(cur);
    } else if (need > want * TINY) {
      heap.push(cur);
    }
  }
  return {cursors, left: Math.max(0, need)};
}

/**
 * Prices any amount on one venue in O(log L) from prefix sums of its taker
 * levels (the same result as walking them): what crosses is walked, the rest
 * rests at the limit price (limit intents) or is unfilled (market).
 */
export function prefixPricer(intent: RouteIntent, levels: readonly (readonly [number, number])[]): Pricer {
  const n = levels.length;
  const size = new Float64Array(n + 1);
  const cost = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) {
    const [price, amount] = levels[i]!;
    const a = amount > 0 ? amount : 0;
    size[i + 1] = size[i]! + a;
    cost[i + 1] = cost[i]! + a * price;
  }
  const limit = intent.limitPrice === undefined ? undefined : Number(intent.limitPrice);
  return (amount: number) => {
    // First index whose cumulative size reaches the amount.
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (size[mid + 1]! >= amount) hi = mid;
      else lo = mid + 1;
    }
    let filled: number;
    let c: number;
    let worst: number | undefined;
    if (lo >= n) {
      filled = size[n]!;
      c = cost[n]!;
      worst = n > 0 ? levels[n - 1]![0] : undefined;
    } else {
      filled = amount;
      c = cost[lo]! + (amount - size[lo]!) * levels[lo]![0];
      worst = amount > 0 ? levels[lo]![0] : undefined;
    }
    let unfilled = amount - filled;
    if (unfilled < amount * 1e-12) unfilled = 0;
    if (limit === undefined) return {cost: c, filled: amount - unfilled, resting: 0, worst};
    return {cost: c + unfilled * limit, filled: amount - unfilled, resting: unfilled, worst};
  };
}

/** Signed effective price of the next unit after `amount` on a cursor's levels (lower is better); undefined when the book is exhausted. */
function marginal(cur: Cursor, amount: number): number | undefined {
  let seen = 0;
  for (const [price, size] of cur.levels) {
    seen += size;
    if (seen > amount * (1 + 1e-12) + 1e-15) return cur.sign * price * cur.feeMul;
  }
  return undefined;
}

/** Rounds a number of base units down to the venue's step, forgiving float dust just below a step. */
export function floorToStep(x: number, step: number | undefined): string {
  if (!(x > 0)) return '0';
  if (step === undefined || !(step > 0)) return dec(Number(x.toPrecision(12)));
  const q = x / step;
  const r = Math.round(q);
  const n = Math.abs(q - r) < 1e-7 ? r : Math.floor(q);
  return n <= 0 ? '0' : mul(String(n), dec(step));
}

function stepOf(c: VenueCandidate): string | undefined {
  return c.market.amountStep === undefined ? undefined : dec(c.market.amountStep);
}

/** Does this amount fit the venue's caps (balance, notional) at its book? */
function fits(c: VenueCandidate, intent: RouteIntent, amount: string, pricer: Pricer): boolean {
  if (c.maxAmount !== undefined && cmp(amount, c.maxAmount) > 0) return false;
  if (c.market.maxAmount !== undefined && Number(amount) > c.market.maxAmount) return false;
  if (intent.side === 'sell' && c.baseFree !== undefined && cmp(amount, c.baseFree) > 0) return false;
  const child = buildChild(c, intent, amount, 0, pricer);
  if (intent.limitPrice === undefined && cmp(child.resting, 0) > 0) return false;
  if (intent.limitPrice === undefined && child.worstPrice === undefined) return false;
  const walked = Number(amount) - Number(child.resting);
  if (intent.limitPrice === undefined && walked < Number(amount) * (1 - 1e-9)) return false;
  if (intent.side === 'buy' && c.quoteFree !== undefined && child.total > Number(c.quoteFree) * (1 + 1e-12)) return false;
  if (c.maxNotional !== undefined && child.cost > c.maxNotional * (1 + 1e-12)) return false;
  return true;
}

function belowMinimum(c: VenueCandidate, intent: RouteIntent, amount: string, pricer: Pricer): string | undefined {
  const m = c.market;
  if (m.minAmount !== undefined && cmp(amount, dec(m.minAmount)) < 0) return `share ${amount} is below the minimum amount ${dec(m.minAmount)}`;
  if (m.minCost !== undefined) {
    const child = buildChild(c, intent, amount, 0, pricer);
    if (child.cost < m.minCost) return `share worth ${child.cost} is below the minimum cost ${m.minCost}`;
  }
  return undefined;
}

export function splitRoute(intent: RouteIntent, candidates: readonly VenueCandidate[]): RoutePlan {
  const skipped: Skip[] = [];
  let pool: VenueCandidate[] = [];
  for (const c of candidates) {
    if (!c.market.active) skipped.push({venue: c.venue, reason: 'market is not active'});
    else if (intent.limitPrice !== undefined && c.market.priceStep !== undefined && cmp(roundToStep(intent.limitPrice, dec(c.market.priceStep), 'nearest'), intent.limitPrice) !== 0) {
      skipped.push({venue: c.venue, reason: `limit price ${intent.limitPrice} is not a multiple of the tick ${dec(c.market.priceStep)}`});
    } else pool.push(c);
  }
  const want = Number(intent.amount);
  const pricers = new Map(pool.map((c) => [c.venue, prefixPricer(intent, takerLevels(intent, c.book))] as const));
  const pricer = (c: VenueCandidate): Pricer => pricers.get(c.venue)!;
  for (;;) {
    const {cursors, left} = walkMerged(intent, pool, want);
    const shares = new Map<string, string>();
    for (const cur of cursors) shares.set(cur.c.venue, floorToStep(cur.alloc, cur.c.market.amountStep));
    // A limit intent's uncrossed remainder rests on the lowest-fee venue with room.
    if (intent.limitPrice !== undefined && left > want * TINY) {
      const byFee = [...pool].sort((a, b) => a.takerFee - b.takerFee || a.priority - b.priority);
      for (const c of byFee) {
        const current = shares.get(c.venue) ?? '0';
        const extra = floorToStep(left, c.market.amountStep);
        const stepped = add(current, extra);
        if (cmp(extra, 0) > 0 && fits(c, intent, stepped, pricer(c))) {
          shares.set(c.venue, stepped);
          break;
        }
      }
    }
    // Offer the rounding remainder back, best venues first: only what rounding took off (what no
    // venue could take in the walk stays unplanned), as many whole steps as still fit (binary search).
    let remainder = sub(intent.amount, sum(shares.values()));
    let dust = 0;
    for (const cur of cursors) dust += cur.alloc - Number(shares.get(cur.c.venue) ?? '0');
    if (intent.limitPrice === undefined && cmp(remainder, dec(Number((dust * (1 + 1e-9)).toPrecision(12)))) > 0) remainder = dec(Number((dust * (1 + 1e-9)).toPrecision(12)));
    const order = cursors
      .filter((cur) => cur.alloc > 0 || intent.limitPrice !== undefined)
      .map((cur) => ({cur, next: marginal(cur, Number(shares.get(cur.c.venue) ?? '0'))}))
      .filter((x) => x.next !== undefined)
      .sort((a, b) => a.next! - b.next!)
      .map((x) => x.cur);
    for (const cur of order) {
      const step = stepOf(cur.c);
      if (step === undefined || cmp(remainder, step) < 0) continue;
      const current = shares.get(cur.c.venue) ?? '0';
      let lo = 0;
      let hi = Math.floor(Number(remainder) / Number(step) + 1e-9);
      while (hi > 0 && cmp(mul(String(hi), step), remainder) > 0) hi--;
      while (lo < hi) {
        const k = Math.ceil((lo + hi) / 2);
        if (fits(cur.c, intent, add(current, mul(String(k), step)), pricer(cur.c))) lo = k;
        else hi = k - 1;
      }
      if (lo > 0) {
        const added = mul(String(lo), step);
        shares.set(cur.c.venue, add(current, added));
        remainder = sub(remainder, added);
      }
    }
    // Drop the smallest share that breaks a market minimum and walk again without it.
    let worst: {c: VenueCandidate; amount: string; reason: string} | undefined;
    for (const c of pool) {
      const amount = shares.get(c.venue) ?? '0';
      if (cmp(amount, 0) <= 0) continue;
      const reason = belowMinimum(c, intent, amount, pricer(c));
      if (reason && (!worst || cmp(amount, worst.amount) < 0)) worst = {c, amount, reason};
    }
    if (worst) {
      skipped.push({venue: worst.c.venue, reason: worst.reason});
      pool = pool.filter((c) => c !== worst!.c);
      continue;
    }
    clampToIntent(shares, intent.amount);
    const picked = pool
      .map((c) => ({c, amount: shares.get(c.venue) ?? '0'}))
      .filter((x) => cmp(x.amount, 0) > 0)
      .map((x) => buildChild(x.c, intent, x.amount, 0, pricer(x.c)))
      .sort((a, b) => (intent.side === 'buy' ? a.total / Number(a.amount) - b.total / Number(b.amount) : b.total / Number(b.amount) - a.total / Number(a.amount)) || a.venue.localeCompare(b.venue));
    const children: PlannedOrder[] = picked.map((child, leg) => ({...child, leg}));
    for (const c of pool) if (!shares.get(c.venue) || cmp(shares.get(c.venue)!, 0) <= 0) skipped.push({venue: c.venue, reason: 'not needed or no room at a useful price'});
    return planFromChildren('split', intent, children, skipped);
  }
}

/** Float dust can leave the shares a hair above the intent (venues without a step): take the excess off the largest share. */
function clampToIntent(shares: Map<string, string>, amount: string): void {
  const excess = sub(sum(shares.values()), amount);
  if (cmp(excess, 0) <= 0) return;
  let largest: string | undefined;
  for (const [venue, a] of shares) if (largest === undefined || cmp(a, shares.get(largest)!) > 0) largest = venue;
  if (largest !== undefined) shares.set(largest, sub(shares.get(largest)!, excess));
}
