/**
 * Resolving orders whose outcome is not known (`pending_submit` left by a
 * crash, `unknown` after a timeout or lost answer) and syncing fills.
 *
 * Rule: an order is resolved ONLY by asking the venue for its clientOrderId
 * (or venue id) - never by sending it again. When the venue knows the order,
 * the journal takes the venue's truth (status, filled, average, fees, fills).
 * When the venue does not know it, the order is marked `rejected` ("never
 * reached the venue") only once the send attempt ended longer ago than the
 * effective grace period, max(graceMs, 2 x the venue's request timeout), so
 * a request still in flight (or a venue slow to list it) is not mistaken for
 * a lost one; until then it stays as it is. The age is measured from the
 * order's updated_at, which markUnknown sets when the send attempt ends (for
 * a pending_submit left by a crash: when it was written). A failed lookup
 * leaves it unchanged.
 *
 * Used by execution right after a timeout, and by reconcile.
 */
import {errorMessage} from '../errors.js';
import {EventsRepo} from '../journal/events.js';
import type {Db} from '../journal/db.js';
import {OrdersRepo, type JournalOrder} from '../journal/orders.js';
import type {Clock, Trade, VenueOrder} from '../types.js';
import type {Venue} from '../venues/port.js';

export interface ResolveOptions {
  readonly clock: Clock;
  /** An order the venue does not know is only declared never-placed after this age (ms). Default 60 s. */
  readonly graceMs?: number;
  /** The venue's request timeout (ms, default 10 s): the grace is at least twice this. */
  readonly requestTimeoutMs?: number;
  /** Also fetch and record the order's trades (default true). */
  readonly fills?: boolean;
}

export type ResolveOutcome =
  /** The venue knows the order; the journal now holds the venue's truth. */
  | {readonly outcome: 'found'; readonly order: JournalOrder; readonly newFills: number}
  /** The venue does not know it and it is older than the grace period: marked rejected. */
  | {readonly outcome: 'not_found'; readonly order: JournalOrder}
  /** Not known yet (lookup failed, or not found but still within the grace period). */
  | {readonly outcome: 'still_unknown'; readonly order: JournalOrder; readonly reason: string};

export const DEFAULT_GRACE_MS = 60_000;
/** The venue request timeout when the config sets none (VenueConfig.timeoutMs). */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

/**
 * The grace actually applied: never shorter than two venue request timeouts.
 * An explicit 0 is the operator stating that nothing can be in flight (e.g.
 * `reconcile --grace 0` after a crash) and is honoured as is.
 */
export function effectiveGraceMs(graceMs: number | undefined, requestTimeoutMs: number | undefined): number {
  if (graceMs === 0) return 0;
  return Math.max(graceMs ?? DEFAULT_GRACE_MS, 2 * (requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS));
}

/** Looks the order up on the venue by clientOrderId (and venue id when known). Never sends an order. */
export async function resolveOrder(venue: Venue, db: Db, order: JournalOrder, options: ResolveOptions): Promise<ResolveOutcome> {
  const orders = new OrdersRepo(db, options.clock);
  const events = new EventsRepo(db, options.clock);
  let found: VenueOrder | undefined;
  try {
    found = await venue.fetchOrder(order.venueOrderId ? {id: order.venueOrderId, clientOrderId: order.clientOrderId} : {clientOrderId: order.clientOrderId}, order.symbol);
    if (!found && order.venueOrderId) found = await venue.fetchOrder({clientOrderId: order.clientOrderId}, order.symbol);
  } catch (error) {
    events.append({kind: 'order.resolve_failed', venue: order.venue, ref: order.clientOrderId, data: {error: errorMessage(error)}});
    return {outcome: 'still_unknown', order, reason: errorMessage(error)};
  }
  if (found && found.clientOrderId !== undefined && found.clientOrderId !== order.clientOrderId && !order.venueOrderId) found = undefined;
  if (found) {
    const updated = orders.applyVenueOrder(order.id, found);
    events.append({kind: 'order.resolved', venue: order.venue, ref: order.clientOrderId, data: {from: order.status, to: updated.status, filled: updated.filled, venueOrderId: updated.venueOrderId ?? null}});
    const newFills = options.fills === false ? 0 : await syncFills(venue, db, updated, options.clock).catch(() => 0);
    return {outcome: 'found', order: orders.get(order.id)!, newFills};
  }
  // From the end of the send attempt (markUnknown stamps updated_at), not from when the order was written.
  const age = options.clock.now() - order.updatedAt;
  const grace = effectiveGraceMs(options.graceMs, options.requestTimeoutMs);
  if (age < grace) return {outcome: 'still_unknown', order, reason: `the venue does not know ${order.clientOrderId} yet (${Math.round(age / 1000)}s old)`};
  const rejected = orders.markRejected(order.id, 'not found on the venue: never placed');
  events.append({kind: 'order.resolved', venue: order.venue, ref: order.clientOrderId, data: {from: order.status, to: 'rejected', reason: 'not found on the venue'}});
  return {outcome: 'not_found', order: rejected};
}

/** Does a venue trade belong to this journalled order? */
export function tradeBelongs(trade: Trade, order: Pick<JournalOrder, 'venueOrderId' | 'clientOrderId' | 'symbol'>): boolean {
  if (trade.symbol !== order.symbol) return false;
  if (order.venueOrderId && trade.orderId === order.venueOrderId) return true;
  return trade.clientOrderId !== undefined && trade.clientOrderId === order.clientOrderId;
}

/**
 * Fetches the venue's trades of the order's symbol since shortly before the
 * order was created and records those that belong to it. Keyed by trade id,
 * so calling it again never double counts. Returns the number of new fills.
 */
export async function syncFills(venue: Venue, db: Db, order: JournalOrder, clock: Clock): Promise<number> {
  if (!order.venueOrderId && order.filled === '0') return 0;
  const trades = await venue.fetchMyTrades(order.symbol, order.createdAt - 60_000);
  const mine = trades.filter((t) => tradeBelongs(t, order));
  return new OrdersRepo(db, clock).recordFills(order.venue, mine, {orderId: order.id, origin: order.origin});
}
