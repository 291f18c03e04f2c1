/**
 * Cancelling journalled orders. Cancel is repeatable: an order that is
 * already closed, canceled, expired or rejected counts as done. An order
 * whose outcome is unknown is first resolved by its clientOrderId; if the
 * venue still does not know it, the cancel is tried by clientOrderId and
 * the order is reported `still_unknown` when nothing is found. Every
 * attempt is journalled as an `order.cancel` event.
 */
import {errorMessage, ExitCode, UsageError, VenueRejectedError} from '../errors.js';
import {EventsRepo} from '../journal/events.js';
import {OrdersRepo, isLiveStatus, type JournalOrder} from '../journal/orders.js';
import type {VenueOrder} from '../types.js';
import type {Venue} from '../venues/port.js';
import type {ExecutionEnv} from './place.js';
import {DEFAULT_GRACE_MS, resolveOrder, syncFills} from './resolve.js';

export type CancelOutcome = 'canceled' | 'already_closed' | 'not_found' | 'still_unknown' | 'failed';

export interface CancelResult {
  readonly id: number;
  readonly venue: string;
  readonly clientOrderId: string;
  readonly symbol: string;
  readonly outcome: CancelOutcome;
  /** Journal status after the attempt. */
  readonly status: JournalOrder['status'];
  readonly filled: string;
  readonly error?: string;
}

function result(order: JournalOrder, outcome: CancelOutcome, error?: string): CancelResult {
  return {id: order.id, venue: order.venue, clientOrderId: order.clientOrderId, symbol: order.symbol, outcome, status: order.status, filled: order.filled, ...(error ? {error} : {})};
}

async function cancelOne(env: ExecutionEnv, start: JournalOrder): Promise<CancelResult> {
  const orders = new OrdersRepo(env.db, env.clock);
  const venue = env.venues.get(start.venue);
  if (!isLiveStatus(start.status)) return result(start, 'already_closed');
  if (!venue) return result(start, 'failed', `venue ${start.venue} is not configured`);
  let order = start;
  if (order.status === 'pending_submit' || order.status === 'unknown') {
    const resolved = await resolveOrder(venue, env.db, order, {clock: env.clock, graceMs: env.graceMs ?? DEFAULT_GRACE_MS, requestTimeoutMs: env.config.venues[order.venue]?.timeoutMs});
    order = resolved.order;
    if (!isLiveStatus(order.status)) return result(order, 'already_closed');
  }
  const apply = async (answer: VenueOrder): Promise<JournalOrder> => {
    const updated = orders.applyVenueOrder(order.id, answer);
    await syncFills(venue, env.db, updated, env.clock).catch(() => 0);
    return orders.get(order.id) ?? updated;
  };
  try {
    const answer = await venue.cancelOrder({...(order.venueOrderId ? {id: order.venueOrderId} : {}), clientOrderId: order.clientOrderId}, order.symbol);
    if (answer) {
      const updated = await apply(answer);
      return result(updated, answer.status === 'canceled' ? 'canceled' : isLiveStatus(updated.status) ? 'failed' : 'already_closed', isLiveStatus(updated.status) ? 'the venue still shows the order open' : undefined);
    }
    const found = await venue.fetchOrder({clientOrderId: order.clientOrderId}, order.symbol);
    if (found) {
      const updated = await apply(found);
      return result(updated, isLiveStatus(updated.status) ? 'failed' : 'already_closed');
    }
    return result(order, order.status === 'unknown' || order.status === 'pending_submit' ? 'still_unknown' : 'not_found');
  } catch (error) {
    // "Unknown order" / "already filled" refusals: look it up; a final order counts as done.
    if (error instanceof VenueRejectedError) {
      try {
        const found = await venue.fetchOrder({...(order.venueOrderId ? {id: order.venueOrderId} : {}), clientOrderId: order.clientOrderId}, order.symbol);
        if (found && found.status !== 'open') return result(await apply(found), 'already_closed');
      } catch {
        // report the original refusal
      }
    }
    return result(order, 'failed', errorMessage(error));
  }
}

/** Cancels the given journalled orders (in parallel per venue order). */
export async function cancelOrders(env: ExecutionEnv, targets: readonly JournalOrder[]): Promise<CancelResult[]> {
  const events = new EventsRepo(env.db, env.clock);
  const results = await Promise.all(targets.map((o) => cancelOne(env, o)));
  for (const r of results) events.append({kind: 'order.cancel', venue: r.venue, ref: r.clientOrderId, data: {outcome: r.outcome, status: r.status, error: r.error ?? null}});
  return results;
}

/**
 * Which journalled orders `xarb cancel` aims at: one by journal id or client
 * order id, every order of the plans placed with a user's `--client-id` key,
 * or every open one (optionally on one venue).
 */
export type CancelSelection = {readonly id: string} | {readonly all: true; readonly venue?: string};

export interface CancelReport {
  readonly results: readonly CancelResult[];
  /** 4 when a venue failed or an order is still unknown; 0 when every order is canceled or already closed. */
  readonly exitCode: ExitCode;
}

/** The journalled orders a selection names; an id the journal does not know is a usage error. */
export function selectCancelTargets(repo: OrdersRepo, selection: CancelSelection): JournalOrder[] {
  if ('all' in selection) return repo.list({open: true, ...(selection.venue ? {venue: selection.venue} : {}), limit: 100_000});
  const id = selection.id;
  if (/^\d+$/.test(id)) {
    const found = repo.get(Number(id));
    if (found) return [found];
  }
  const byClientOrderId = repo.list({limit: 100_000}).filter((o) => o.clientOrderId === id);
  if (byClientOrderId.length > 0) return byClientOrderId;
  // The user's own key (`order ... --client-id KEY`): every order of the plans placed with it.
  const byKey = repo.plans.byClientId(id).flatMap((planId) => repo.list({planId, limit: 100_000}).reverse());
  if (byKey.length > 0) return byKey;
  throw new UsageError(`no journalled order ${id}`, 'give a journal id, a client order id or the --client-id the order was placed with; see `xarb orders`');
}

/** `xarb cancel`: finds the orders, opens only their venues, cancels them and reports. */
export async function cancelSelected(
  env: Omit<ExecutionEnv, 'venues'> & {
    readonly openVenue: (name: string) => Promise<Venue>;
    /** The sync step (core/reconcile/sync.ts), run on the targets' venues before cancelling. */
    readonly sync?: (venues: readonly Venue[]) => Promise<unknown>;
  },
  selection: CancelSelection,
): Promise<CancelReport> {
  const repo = new OrdersRepo(env.db, env.clock);
  const selected = selectCancelTargets(repo, selection);
  const names = [...new Set(selected.map((o) => o.venue))];
  const venues = await Promise.all(names.map((n) => env.openVenue(n)));
  // Fills that happened meanwhile are journalled first: an order that filled is reported already closed.
  await env.sync?.(venues);
  const targets = selected.map((o) => repo.get(o.id) ?? o);
  const results = await cancelOrders({...env, venues: new Map(venues.map((v) => [v.info.id, v]))}, targets);
  const exitCode = results.some((r) => r.outcome === 'failed' || r.outcome === 'still_unknown') ? ExitCode.venueFailed : ExitCode.ok;
  return {results, exitCode};
}
