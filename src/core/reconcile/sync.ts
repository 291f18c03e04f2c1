/**
 * The sync step: before a command reads or changes account state on a venue
 * (orders, cancel, balances, positions, pnl, placing an order, rebalance),
 * the journal catches up with what happened there to xarb's own live
 * orders, so a resting order that filled is seen as filled now, not at the
 * next reconcile, and risk counts what is really open.
 *
 * It is reconcile's diff on a narrow window, with a narrow set of repairs:
 * - The journal side is the venue's live journal orders (pending_submit,
 *   unknown, open); the venue side is its open-order list plus lookups (by
 *   venue id or clientOrderId) of the live orders the list does not show.
 *   Matching and comparison are reconcile's (diff.ts); every live order the
 *   list does not show is looked up at once (a read), while the grace period
 *   still guards the resolver (an order is never declared never-placed
 *   inside it).
 * - Applied: bringing a journal order to the venue's state (status, filled,
 *   average: `apply_venue_order`), and settling interrupted orders with the
 *   resolver (a lookup, never a re-send). Then every live order whose
 *   recorded fills fall short of its filled amount gets its trades recorded
 *   (keyed by trade id: repeating adds nothing). Each change is an event
 *   (`sync.order_updated`, `order.resolved`).
 * - Not applied: orders only the venue knows (placed outside xarb), orders
 *   the venue does not know, fills the venue does not list, balances. Those
 *   need a person or `reconcile --fix`, and reconcile reports them.
 * - Reads only: nothing is sent, canceled or re-sent. A venue without live
 *   journal orders is not asked at all. A venue that cannot be read is
 *   reported (status `failed`), never thrown: the command goes on with the
 *   journal as it is.
 */
import {errorMessage} from '../errors.js';
import type {Db} from '../journal/db.js';
import {OrdersRepo} from '../journal/orders.js';
import {effectiveGraceMs, syncFills} from '../execution/resolve.js';
import {cmp} from '../money/decimal.js';
import type {Clock} from '../types.js';
import type {Venue} from '../venues/port.js';
import {applyRepairs} from './apply.js';
import {diffVenue, ordersToLookUp} from './diff.js';
import {lookUp} from './fetch.js';
import {DEFAULT_GRACE_MS, resolveInterrupted} from './reconcile.js';
import type {DiffWindow, JournalState} from './types.js';

export interface SyncOptions {
  readonly db: Db;
  readonly clock: Clock;
  /** As for reconcile: the grace applied is max(graceMs, 2 x the venue's request timeout). */
  readonly graceMs?: number;
  readonly requestTimeoutMs?: (venue: string) => number | undefined;
}

export interface VenueSyncReport {
  readonly venue: string;
  /** `idle`: no live journal order, the venue was not asked. */
  readonly status: 'synced' | 'idle' | 'failed';
  /** Live journal orders compared with the venue. */
  readonly orders: number;
  /** Journal orders brought to the venue's state (including resolved ones). */
  readonly updated: number;
  readonly fillsAdded: number;
  readonly error: string | undefined;
}

export interface SyncReport {
  readonly venues: readonly VenueSyncReport[];
}

const ALL = 1_000_000_000;

/** Brings one venue's live journal orders and their fills in line with the venue. Never throws for venue errors. */
export async function syncVenue(venue: Venue, options: SyncOptions): Promise<VenueSyncReport> {
  const name = venue.info.id;
  const orders = new OrdersRepo(options.db, options.clock);
  const live = orders.list({venue: name, open: true, limit: ALL});
  if (live.length === 0) return {venue: name, status: 'idle', orders: 0, updated: 0, fillsAdded: 0, error: undefined};
  try {
    const graceMs = effectiveGraceMs(options.graceMs ?? DEFAULT_GRACE_MS, options.requestTimeoutMs?.(name));
    const openOrders = await venue.fetchOpenOrders();
    // No grace in the diff: every live order the open list does not show is looked up now (a read), so a
    // resting order that filled a second ago reads as filled. The grace still guards every conclusion that
    // is not the venue's own answer: the resolver never marks an order never-placed inside it, and orders
    // the venue does not know are not touched here at all.
    const window: DiffWindow = {since: undefined, now: options.clock.now(), graceMs: 0};
    const journal: JournalState = {venue: name, orders: live, fills: []};
    const lookups = await lookUp(venue, ordersToLookUp(journal, {openOrders, closedOrders: []}, window));
    const diff = diffVenue(journal, {venue: name, openOrders, closedOrders: [], trades: [], lookups}, window);
    const own = diff.discrepancies.filter((d) => d.kind !== 'interrupted' && d.repair?.op === 'apply_venue_order');
    let updated = applyRepairs({db: options.db, clock: options.clock, venue: name, mode: venue.info.mode, balancesAt: window.now, source: 'sync'}, own);
    updated += await resolveInterrupted(options.db, options.clock, venue, diff.discrepancies, graceMs);
    let fillsAdded = 0;
    for (const before of live) {
      const order = orders.get(before.id);
      if (!order || cmp(orders.fillTotals(order.id).amount, order.filled) >= 0) continue;
      fillsAdded += await syncFills(venue, options.db, order, options.clock);
    }
    return {venue: name, status: 'synced', orders: live.length, updated, fillsAdded, error: undefined};
  } catch (error) {
    return {venue: name, status: 'failed', orders: live.length, updated: 0, fillsAdded: 0, error: errorMessage(error)};
  }
}

/** Syncs several venues in parallel (see syncVenue). */
export async function syncVenues(venues: readonly Venue[], options: SyncOptions): Promise<SyncReport> {
  const unique = [...new Map(venues.map((v) => [v.info.id, v] as const)).values()];
  return {venues: await Promise.all(unique.map((v) => syncVenue(v, options)))};
}
