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

/** The price and amount steps of one market, for display. */
export interface MarketSteps {
  readonly quote: string;
  readonly priceStep: number | undefined;
  readonly amountStep: number | undefined;
}

/**
 * The steps of the markets the listed orders trade, read from their venues
 * (configured venues only; market metadata comes from each venue's cache
 * where it keeps one), keyed `venue` + NUL + `symbol`. A venue that cannot be
 * opened or listed is left out: its orders are shown with their currency's
 * digits, as `orders --offline` shows every order.
 */
export async function orderMarketSteps(deps: Pick<OrdersListDeps, 'venueNames' | 'openVenues'>, items: readonly {readonly venue: string; readonly symbol: string}[]): Promise<Map<string, MarketSteps>> {
  const steps = new Map<string, MarketSteps>();
  const names = [...new Set(items.map((o) => o.venue))].filter((name) => deps.venueNames.includes(name));
  if (names.length === 0) return steps;
  let venues: Venue[];
  try {
    venues = await deps.openVenues(names);
  } catch {
    return steps;
  }
  const wanted = new Set(items.map((o) => `${o.venue}\u0000${o.symbol}`));
  await Promise.all(
    venues.map(async (venue) => {
      try {
        for (const m of await venue.loadMarkets()) {
          const key = `${venue.info.id}\u0000${m.symbol}`;
          if (wanted.has(key)) steps.set(key, {quote: m.quote, priceStep: m.priceStep, amountStep: m.amountStep});
        }
      } catch {
        // no metadata from this venue now: currency digits
      }
    }),
  );
  return steps;
}
