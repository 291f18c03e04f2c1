/**
 * Venues that size market buys in quote (coinbase `quote_size`, bybit
 * `marketUnit=quoteCoin`) spend a budget instead of buying an amount. The
 * shared state fills base amounts, so the dialect turns the budget into the
 * base amount it buys at the current asks, rounded down to the market's step.
 */
import {add, cmp, div, isPositive, mul, roundToStep, sub} from '../../../../src/core/money/decimal.js';
import type {VenueState} from '../state.js';

export function baseForQuote(state: VenueState, symbol: string, budget: string, step: string): string {
  let left = budget;
  let base = '0';
  for (const [price, size] of state.book(symbol).asks) {
    if (!isPositive(left)) break;
    const levelCost = mul(price, size);
    if (cmp(levelCost, left) <= 0) {
      base = add(base, size);
      left = sub(left, levelCost);
    } else {
      base = add(base, div(left, price));
      left = '0';
    }
  }
  return roundToStep(base, step, 'down');
}
