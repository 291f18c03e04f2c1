/**
 * Journal migrations, in version order. Each area owns one file; versions are
 * fixed and never reused. A released migration is never edited: changes go in
 * a new file appended here.
 */
import {core} from './001-core.js';
import {orders} from './002-orders.js';
import {arb} from './003-arb.js';
import {portfolio} from './004-portfolio.js';
import {reconcile} from './005-reconcile.js';
import {rebalance} from './006-rebalance.js';
import {paperTrades} from './007-paper-trades.js';
import {lifecycle} from './008-lifecycle.js';

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly up: string;
}

export const migrations: readonly Migration[] = [core, orders, arb, portfolio, reconcile, rebalance, paperTrades, lifecycle];
