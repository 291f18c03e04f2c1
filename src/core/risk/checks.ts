/**
 * Pre-trade risk checks. Each is a pure function of (order, context) that
 * returns a Violation naming the limit, its value and the attempted value,
 * or undefined. Limits come in three scopes, checked in this order:
 * `global`, `venues.<venue>`, `symbols.<symbol>`; the first breach is
 * reported. "Just at the limit" passes; only strictly above is denied.
 *
 * Fail closed: when a configured limit needs data that is missing (a mid
 * price for the band, balances of a venue for a position, a rate to value a
 * notional) the order is denied and the violation says what was missing.
 */
import type {RiskLimitSet} from '../config/schema.js';
import {abs, add, cmp, dec, sub, isNegative} from '../money/decimal.js';
import {baseOf, quoteOf} from '../symbols/index.js';
import type {PlannedOrder} from '../types.js';
import type {RiskLedger} from './ledger.js';
import type {RiskConfig, Violation} from './types.js';

export interface CheckContext {
  readonly config: RiskConfig;
  readonly ledger: RiskLedger;
  /** Exact quote notional of the order (amount x expected price). */
  readonly notional: string;
  /** The notional in the valuation quote, undefined when the quote has no rate. */
  readonly notionalValue: number | undefined;
}

export type Check = (order: PlannedOrder, ctx: CheckContext) => Violation | undefined;

interface Scope {
  readonly name: string;
  readonly kind: 'global' | 'venue' | 'symbol';
  readonly limits: RiskLimitSet & {maxTotalExposurePct?: number};
}

export function scopes(config: RiskConfig, order: Pick<PlannedOrder, 'venue' | 'symbol'>): Scope[] {
  const out: Scope[] = [];
  if (config.global) out.push({name: 'global', kind: 'global', limits: config.global});
  const venue = config.venues?.[order.venue];
  if (venue) out.push({name: `venues.${order.venue}`, kind: 'venue', limits: venue});
  const symbol = config.symbols?.[order.symbol];
  if (symbol) out.push({name: `symbols.${order.symbol}`, kind: 'symbol', limits: symbol});
  return out;
}

function fmt(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return dec(Number(n.toFixed(8)));
}

/** Does the order shrink the absolute position in its base asset on its venue? (spot: a sell of what is held.) */
export function reducesExposure(order: PlannedOrder, ledger: RiskLedger): boolean {
  if (!ledger.hasBalances(order.venue)) return false;
  const pos = ledger.position(baseOf(order.symbol), order.venue);
  const after = order.side === 'buy' ? add(pos, order.amount) : sub(pos, order.amount);
  // Reduces when it moves the position toward zero without crossing past it.
  return cmp(abs(after), abs(pos)) < 0 && (cmp(pos, 0) === 0 || isNegative(pos) === isNegative(after) || cmp(after, 0) === 0);
}

export const checkTradingState: Check = (order, {ledger}) => {
  const state = ledger.snapshot.state;
  if (state === 'halted') return {limit: 'tradingState', value: 'halted', attempted: 'any order', detail: 'trading is halted; `xarb risk resume` re-enables it'};
  if (state === 'reducing' && !reducesExposure(order, ledger)) {
    return {limit: 'tradingState', value: 'reducing', attempted: 'an order that does not reduce a position', detail: 'only orders that reduce a position pass while reducing'};
  }
  return undefined;
};

export const checkOrderAmount: Check = (order, {config}) => {
  for (const s of scopes(config, order)) {
    const limit = s.limits.maxOrderAmount;
    if (limit !== undefined && cmp(order.amount, limit) > 0) return {limit: `${s.name}.maxOrderAmount`, value: dec(limit), attempted: order.amount};
  }
  return undefined;
};

export const checkOrderNotional: Check = (order, {config, notionalValue}) => {
  for (const s of scopes(config, order)) {
    const limit = s.limits.maxOrderNotional;
    if (limit === undefined) continue;
    if (notionalValue === undefined) return {limit: `${s.name}.maxOrderNotional`, value: dec(limit), attempted: 'unpriced', detail: `no rate for ${quoteOf(order.symbol)}`};
    if (notionalValue > Number(limit)) return {limit: `${s.name}.maxOrderNotional`, value: dec(limit), attempted: fmt(notionalValue)};
  }
  return undefined;
};

export const checkPosition: Check = (order, {config, ledger}) => {
  for (const s of scopes(config, order)) {
    const limit = s.limits.maxPosition;
    if (limit === undefined) continue;
    const venue = s.kind === 'venue' ? order.venue : undefined;
    const missing = venue !== undefined ? (ledger.hasBalances(venue) ? [] : [venue]) : ledger.snapshot.unknownBalances;
    if (missing.length > 0) return {limit: `${s.name}.maxPosition`, value: dec(limit), attempted: 'unknown', detail: `balances of ${missing.join(', ')} could not be read`};
    const pos = ledger.position(baseOf(order.symbol), venue);
    const after = order.side === 'buy' ? add(pos, order.amount) : sub(pos, order.amount);
    if (cmp(abs(after), limit) > 0 && cmp(abs(after), abs(pos)) > 0) return {limit: `${s.name}.maxPosition`, value: dec(limit), attempted: after};
  }
  return undefined;
};

export const checkDailyVolume: Check = (order, {config, ledger, notionalValue}) => {
  for (const s of scopes(config, order)) {
    const limit = s.limits.maxDailyVolume;
    if (limit === undefined) continue;
    const used = ledger.dailyVolume(s.kind === 'venue' ? {venue: order.venue} : s.kind === 'symbol' ? {symbol: order.symbol} : {});
    if (notionalValue === undefined || used.unpriced.length > 0) {
      return {limit: `${s.name}.maxDailyVolume`, value: dec(limit), attempted: 'unpriced', detail: `no rate for ${[quoteOf(order.symbol), ...used.unpriced].join(', ')}`};
    }
    const attempted = used.value + notionalValue;
    if (attempted > Number(limit) * (1 + 1e-12)) return {limit: `${s.name}.maxDailyVolume`, value: dec(limit), attempted: fmt(attempted), detail: `${fmt(used.value)} already traded today (UTC)`};
  }
  return undefined;
};

export const checkOpenOrders: Check = (order, {config, ledger}) => {
  for (const s of scopes(config, order)) {
    const limit = s.limits.maxOpenOrders;
    if (limit === undefined) continue;
    const current = s.kind === 'symbol' ? ledger.openOrders(undefined, order.symbol) : ledger.openOrders(order.venue);
    if (current + 1 > limit) return {limit: `${s.name}.maxOpenOrders`, value: String(limit), attempted: String(current + 1)};
  }
  return undefined;
};

export const checkPriceBand: Check = (order, {config}) => {
  const price = order.price !== undefined ? Number(order.price) : order.worstPrice;
  for (const s of scopes(config, order)) {
    const band = s.limits.priceBandPct;
    if (band === undefined || price === undefined) continue;
    if (order.mid === undefined || !(order.mid > 0)) return {limit: `${s.name}.priceBandPct`, value: String(band), attempted: 'unknown', detail: `no mid price for ${order.symbol} on ${order.venue}`};
    const distance = (Math.abs(price - order.mid) / order.mid) * 100;
    if (distance > band * (1 + 1e-9)) return {limit: `${s.name}.priceBandPct`, value: String(band), attempted: fmt(distance), detail: `price ${price} vs mid ${order.mid}`};
  }
  return undefined;
};

/** Exposure change of an order in the valuation quote: buying a non-cash asset with cash adds, selling it takes away. */
function exposureDelta(order: PlannedOrder, cash: ReadonlySet<string>, notionalValue: number): number {
  const baseCash = cash.has(baseOf(order.symbol));
  const quoteCash = cash.has(quoteOf(order.symbol));
  if (baseCash === quoteCash) return 0;
  const sign = (order.side === 'buy') === quoteCash ? 1 : -1;
  return sign * notionalValue;
}

export const checkExposure: Check = (order, {config, ledger, notionalValue}) => {
  const cash = new Set(ledger.snapshot.cash);
  for (const s of scopes(config, order)) {
    const checks: {name: string; limit: number; venue?: string; asset?: string}[] = [];
    if (s.limits.maxExposurePct !== undefined) {
      if (s.kind === 'symbol') checks.push({name: `${s.name}.maxExposurePct`, limit: s.limits.maxExposurePct, asset: baseOf(order.symbol)});
      else checks.push({name: `${s.name}.maxExposurePct`, limit: s.limits.maxExposurePct, venue: order.venue});
    }
    if (s.kind === 'global' && s.limits.maxTotalExposurePct !== undefined) checks.push({name: 'global.maxTotalExposurePct', limit: s.limits.maxTotalExposurePct});
    for (const c of checks) {
      if (notionalValue === undefined) return {limit: c.name, value: String(c.limit), attempted: 'unpriced', detail: `no rate for ${quoteOf(order.symbol)}`};
      if (ledger.snapshot.unknownBalances.length > 0) return {limit: c.name, value: String(c.limit), attempted: 'unknown', detail: `balances of ${ledger.snapshot.unknownBalances.join(', ')} could not be read`};
      const portfolio = ledger.valuation();
      const scoped = ledger.valuation(c.venue, c.asset);
      if (c.asset !== undefined && ledger.snapshot.value(c.asset) === undefined) return {limit: c.name, value: String(c.limit), attempted: 'unpriced', detail: `no rate for ${c.asset}`};
      const delta = c.asset !== undefined && c.asset !== baseOf(order.symbol) ? 0 : exposureDelta(order, cash, notionalValue);
      if (delta <= 0) continue;
      if (!(portfolio.total > 0)) return {limit: c.name, value: String(c.limit), attempted: 'unknown', detail: 'the portfolio has no valued holdings'};
      const pct = ((scoped.exposure + delta) / portfolio.total) * 100;
      if (pct > c.limit * (1 + 1e-9)) return {limit: c.name, value: String(c.limit), attempted: fmt(pct), detail: `of a portfolio worth ${fmt(portfolio.total)} ${ledger.snapshot.valuationQuote}`};
    }
  }
  return undefined;
};

export const checkReserve: Check = (order, {config, ledger, notional}) => {
  const asset = order.side === 'buy' ? quoteOf(order.symbol) : baseOf(order.symbol);
  const reserve = config.reserves?.[asset];
  if (reserve === undefined) return undefined;
  const free = ledger.free(order.venue, asset);
  if (free === undefined) return {limit: `reserves.${asset}`, value: dec(reserve), attempted: 'unknown', detail: `balances of ${order.venue} could not be read`};
  const spend = order.side === 'buy' ? add(notional, String(order.fee)) : order.amount;
  const left = sub(free, spend);
  if (cmp(left, reserve) < 0) return {limit: `reserves.${asset}`, value: dec(reserve), attempted: left, detail: `${asset} left on ${order.venue} after the order`};
  return undefined;
};

/** Every check, in the order they are applied. */
export const CHECKS: readonly Check[] = [
  checkTradingState,
  checkOrderAmount,
  checkOrderNotional,
  checkPriceBand,
  checkOpenOrders,
  checkPosition,
  checkDailyVolume,
  checkExposure,
  checkReserve,
];
