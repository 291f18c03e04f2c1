/**
 * The risk engine: applies every check to every order of a batch (the child
 * orders of a plan, both legs of an arbitrage), in order, counting the
 * orders already accepted in the batch. Pure: the effectful shell
 * (core/execution/place.ts) builds the snapshot inside the journal
 * transaction that writes the orders, journals a denial as an event and
 * throws RiskDeniedError - so nothing reaches a venue after a denial.
 */
import {RiskDeniedError} from '../errors.js';
import {CHECKS, type Check} from './checks.js';
import {orderNotional, RiskLedger} from './ledger.js';
import {quoteOf} from '../symbols/index.js';
import type {PlannedOrder} from '../types.js';
import type {RiskConfig, RiskSnapshot, Violation} from './types.js';

export interface Denial {
  /** Index of the first order of the batch that was denied. */
  readonly index: number;
  readonly order: PlannedOrder;
  readonly violation: Violation;
}

/** Runs the checks over a batch; the first violation denies the whole batch. */
export function evaluateBatch(orders: readonly PlannedOrder[], config: RiskConfig, snapshot: RiskSnapshot, checks: readonly Check[] = CHECKS): Denial | undefined {
  const ledger = new RiskLedger(snapshot);
  for (const [index, order] of orders.entries()) {
    const notional = orderNotional(order);
    const rate = snapshot.value(quoteOf(order.symbol));
    const ctx = {config, ledger, notional, notionalValue: rate === undefined ? undefined : Number(notional) * rate};
    for (const check of checks) {
      const violation = check(order, ctx);
      if (violation) return {index, order, violation};
    }
    ledger.apply(order, notional);
  }
  return undefined;
}

export function denialError(denial: Denial): RiskDeniedError {
  const v = denial.violation;
  const where = `${denial.order.side} ${denial.order.amount} ${denial.order.symbol} on ${denial.order.venue}`;
  return new RiskDeniedError(v.limit, v.value, v.attempted, v.detail ? `${where}; ${v.detail}` : where);
}
