/**
 * `xarb orders`: journalled orders with their fills and fees, newest first,
 * after the venues holding live orders were asked for them (so an order that
 * filled since is shown filled). The journal is read, never changed here:
 * the sync step is the caller's (core/reconcile/sync.ts).
 */
import type {Db} from '../journal/db.js';
import {OrdersRepo} from '../journal/orders.js';
import type {Clock} from '../types.js';
import type {Venue} from '../venues/port.js';
import {orderResult, type OrderResult} from './place.js';

export interface OrdersListItem extends OrderResult {
  readonly planId: string | undefined;
  readonly origin: 'xarb' | 'external';
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface OrdersQuery {
  /** Only open and in-flight orders (pending_submit, unknown, open). */
  readonly open: boolean;
  readonly venue?: string;
  readonly symbol?: string;
  /** Only orders created at or after this time (ms). */
  readonly since?: number;
  readonly limit: number;
}

export interface OrdersListDeps {
  readonly db: Db;
  readonly clock: Clock;
  /** The configured venue names: only those are asked. */
  readonly venueNames: readonly string[];
  readonly openVenues: (names: readonly string[]) => Promise<Venue[]>;
  /** Brings the journal in line with these venues' live orders; undefined reads the journal alone (--offline). */
  readonly sync?: (venues: readonly Venue[]) => Promise<unknown>;
}

export async function listOrders(deps: OrdersListDeps, query: OrdersQuery): Promise<OrdersListItem[]> {
  const repo = new OrdersRepo(deps.db, deps.clock);
  if (deps.sync) {
    // Venues with live journal orders (within --venue) are asked first, so fills since the last look are shown.
    const live = [...new Set(repo.list({open: true, ...(query.venue ? {venue: query.venue} : {}), limit: 1_000_000}).map((o) => o.venue))];
    await deps.sync(await deps.openVenues(live.filter((name) => deps.venueNames.includes(name))));
  }
  const rows = repo.list({
    open: query.open,
    ...(query.venue ? {venue: query.venue} : {}),
    ...(query.symbol ? {symbol: query.symbol} : {}),
    ...(query.since !== undefined ? {since: query.since} : {}),
    limit: query.limit,
  });
  return rows.map((o) => ({...orderResult(deps.db, deps.clock, o), planId: o.planId, origin: o.origin, createdAt: o.createdAt, updatedAt: o.updatedAt}));
}
