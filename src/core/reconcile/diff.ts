/**
 * Pure diff of one venue's journal state against what the venue answered.
 *
 * A venue is "in line" over a window (orders and trades from `since` on) when:
 *  1. every order the venue lists (open, or closed/canceled/expired in the
 *     window) is exactly one journal order: matched by venue order id when
 *     the journal has one, else by clientOrderId. A second venue order with
 *     the clientOrderId of a journal order that already has another venue
 *     id is a duplicate submission and counts as unknown to the journal;
 *  2. every journal order that should exist on the venue does: orders the
 *     journal holds as open, and orders that ended (closed/canceled/expired)
 *     inside the window. Rejected orders are not expected on the venue;
 *  3. matched orders agree on status and filled amount exactly, and on the
 *     average price within 1 part per million (venues round averages);
 *  4. no order is left pending_submit/unknown by an interrupted run: such an
 *     order untouched for longer than the grace period is resolved against
 *     the venue's answer for its clientOrderId; younger ones are in flight
 *     (another xarb process may be placing them) and are left alone. The
 *     same grace applies to an open order the venue does not list: nothing
 *     is concluded about it (looked up, canceled) until it is older than the
 *     grace, since a venue may list a new order late;
 *  5. every venue trade in the window is a journal fill (by symbol and trade
 *     id: some venues number trades per market) and
 *     every journal fill in the window is a venue trade; trades of orders in
 *     flight are left to the process placing them.
 * Balances are checked separately (balances.ts).
 *
 * The venue is the truth for what happened there: each discrepancy carries
 * the repair that brings the journal to the venue's state, or none when a
 * person has to decide (a journal fill the venue does not know, an order
 * with fills that the venue does not know).
 */
import {cmp, dec, isZero, sub, abs, mul, div} from '../money/decimal.js';
import type {Trade, VenueOrder} from '../types.js';
import type {Discrepancy, DiffWindow, JournalOrder, JournalState, Repair, VenueDiff, VenueState} from './types.js';

const TERMINAL = new Set(['closed', 'canceled', 'rejected', 'expired']);
const INTERRUPTED = new Set(['pending_submit', 'unknown']);
/** Relative tolerance for average prices: 1 part per million. */
export const AVERAGE_TOLERANCE = '0.000001';

export function isInterrupted(order: JournalOrder): boolean {
  return INTERRUPTED.has(order.status);
}

/** A trade's identity on one venue: trade ids are unique per market only (binance, okx). */
export function fillKey(symbol: string, tradeId: string): string {
  return `${symbol}\u0000${tradeId}`;
}

function inGrace(order: JournalOrder, window: DiffWindow): boolean {
  return window.now - order.updatedAt < window.graceMs;
}

/** An open order the venue lists nowhere, touched within the grace period: no conclusion yet. */
function unlistedInGrace(order: JournalOrder, matched: ReadonlyMap<string, VenueOrder>, window: DiffWindow): boolean {
  return order.status === 'open' && !matched.has(order.clientOrderId) && inGrace(order, window);
}

/** Whether the venue must know this journal order (invariant 2 and 4). */
function expectedOnVenue(order: JournalOrder, window: DiffWindow): boolean {
  if (order.status === 'rejected') return false;
  if (!TERMINAL.has(order.status)) return true;
  return window.since === undefined || order.createdAt >= window.since || order.updatedAt >= window.since;
}

/**
 * Venue order lists deduplicated by venue id. An order can appear in both
 * lists when it closed between the two calls: the terminal copy wins.
 */
export function venueOrdersById(open: readonly VenueOrder[], closed: readonly VenueOrder[]): Map<string, VenueOrder> {
  const byId = new Map<string, VenueOrder>();
  for (const order of open) byId.set(order.id, order);
  for (const order of closed) byId.set(order.id, order);
  return byId;
}

interface Matching {
  /** journal clientOrderId -> venue order */
  readonly matched: Map<string, VenueOrder>;
  /** venue orders no journal order claims */
  readonly unclaimed: VenueOrder[];
}

function matchOrders(journal: readonly JournalOrder[], venueOrders: Map<string, VenueOrder>): Matching {
  const byVenueId = new Map<string, JournalOrder>();
  const byClientId = new Map<string, JournalOrder>();
  for (const order of journal) {
    if (order.venueOrderId !== undefined) byVenueId.set(order.venueOrderId, order);
    byClientId.set(order.clientOrderId, order);
  }
  const matched = new Map<string, VenueOrder>();
  const unclaimed: VenueOrder[] = [];
  // Oldest first so that, of two venue orders sharing a clientOrderId, the first one placed is ours.
  const sorted = [...venueOrders.values()].sort((a, b) => a.timestamp - b.timestamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  for (const vo of sorted) {
    let owner = byVenueId.get(vo.id);
    if (!owner && vo.clientOrderId !== undefined) {
      const candidate = byClientId.get(vo.clientOrderId);
      if (candidate && candidate.venueOrderId === undefined && !matched.has(candidate.clientOrderId)) owner = candidate;
    }
    if (owner && !matched.has(owner.clientOrderId)) matched.set(owner.clientOrderId, vo);
    else unclaimed.push(vo);
  }
  return {matched, unclaimed};
}

/**
 * The journal orders the venue's lists did not cover but that must be
 * checked: the shell looks each up by clientOrderId (fetchOrder) and passes
 * the answers in `VenueState.lookups`.
 */
export function ordersToLookUp(
  journal: JournalState,
  lists: Pick<VenueState, 'openOrders' | 'closedOrders'>,
  window: DiffWindow,
): JournalOrder[] {
  const {matched} = matchOrders(journal.orders, venueOrdersById(lists.openOrders, lists.closedOrders));
  return journal.orders.filter(
    (o) => !matched.has(o.clientOrderId) && expectedOnVenue(o, window) && !(isInterrupted(o) && inGrace(o, window)) && !unlistedInGrace(o, matched, window),
  );
}

function averageDiffers(journal: string | undefined, venue: string | undefined, filled: string): boolean {
  if (venue === undefined || isZero(filled)) return false;
  if (journal === undefined) return true;
  const scale = cmp(abs(venue), abs(journal)) >= 0 ? abs(venue) : abs(journal);
  if (isZero(scale)) return false;
  return cmp(div(abs(sub(journal, venue)), scale), AVERAGE_TOLERANCE) > 0;
}

function stateOf(order: VenueOrder): string {
  return `${order.status} filled ${dec(order.filled)}${order.average !== undefined ? ` avg ${dec(order.average)}` : ''}`;
}

/**
 * Journal key of an order imported from the venue: `ext:<venue order id>`.
 * The venue's own client id is not used as the key: it was chosen by someone
 * else, may be empty or a placeholder, and is unique only among open orders.
 */
function importId(vo: VenueOrder): string {
  return `ext:${vo.id}`;
}

function compareMatched(venue: string, jo: JournalOrder, vo: VenueOrder, out: Discrepancy[]): void {
  const base = {venue, ref: jo.clientOrderId, symbol: jo.symbol};
  if (isInterrupted(jo)) {
    out.push({...base, kind: 'interrupted', journalValue: jo.status, venueValue: stateOf(vo), detail: 'left by an interrupted run; the venue has it', repair: {op: 'apply_venue_order', clientOrderId: jo.clientOrderId, order: vo}});
    return;
  }
  const repair: Repair = {op: 'apply_venue_order', clientOrderId: jo.clientOrderId, order: vo};
  if (jo.status !== vo.status) {
    out.push({...base, kind: 'status_differs', journalValue: jo.status, venueValue: vo.status, detail: undefined, repair});
  }
  if (cmp(jo.filled, vo.filled) !== 0) {
    out.push({...base, kind: 'filled_differs', journalValue: dec(jo.filled), venueValue: dec(vo.filled), detail: undefined, repair});
  }
  if (averageDiffers(jo.average, vo.average, vo.filled)) {
    out.push({
      ...base,
      kind: 'average_differs',
      journalValue: jo.average === undefined ? null : dec(jo.average),
      venueValue: vo.average === undefined ? null : dec(vo.average),
      detail: undefined,
      repair,
    });
  }
}

function compareUnmatched(venue: string, jo: JournalOrder, answer: VenueOrder | undefined, out: Discrepancy[]): void {
  const base = {venue, ref: jo.clientOrderId, symbol: jo.symbol};
  if (answer !== undefined) {
    compareMatched(venue, jo, answer, out);
    return;
  }
  if (isInterrupted(jo)) {
    out.push({
      ...base,
      kind: 'interrupted',
      journalValue: jo.status,
      venueValue: null,
      detail: 'left by an interrupted run; the venue does not know it, so it was never placed',
      repair: {op: 'set_status', clientOrderId: jo.clientOrderId, status: 'rejected', error: 'never reached the venue (interrupted run, resolved by reconcile)'},
    });
    return;
  }
  const repair: Repair | undefined = isZero(jo.filled)
    ? {op: 'set_status', clientOrderId: jo.clientOrderId, status: 'canceled', error: 'not found on the venue (resolved by reconcile)'}
    : undefined;
  out.push({
    ...base,
    kind: 'missing_on_venue',
    journalValue: `${jo.status} filled ${dec(jo.filled)}`,
    venueValue: null,
    detail: repair ? undefined : 'the journal has fills for an order the venue does not know; check by hand',
    repair,
  });
}

function tradeText(t: {price: string; amount: string; side: string}): string {
  return `${t.side} ${dec(t.amount)} @ ${dec(t.price)}`;
}

/** Diffs one venue. `journal` must hold every order and fill the window touches (see reconcile.ts for the scoping). */
export function diffVenue(journal: JournalState, venue: VenueState, window: DiffWindow): VenueDiff {
  const name = venue.venue;
  const out: Discrepancy[] = [];
  const inFlight: string[] = [];
  const venueOrders = venueOrdersById(venue.openOrders, venue.closedOrders);
  const {matched, unclaimed} = matchOrders(journal.orders, venueOrders);

  // Venue order id -> the journal clientOrderId its fills belong to (after repairs).
  const ownerOfVenueId = new Map<string, JournalOrder | {clientOrderId: string; origin: 'external'}>();
  // Trades name their order by venue id; for an order the journal never linked to one, by clientOrderId.
  const ownerOfClientId = new Map<string, JournalOrder>();
  for (const jo of journal.orders) {
    if (jo.venueOrderId !== undefined) ownerOfVenueId.set(jo.venueOrderId, jo);
    else ownerOfClientId.set(jo.clientOrderId, jo);
  }

  for (const jo of journal.orders) {
    const vo = matched.get(jo.clientOrderId);
    if (vo) ownerOfVenueId.set(vo.id, jo);
    if ((isInterrupted(jo) && inGrace(jo, window)) || unlistedInGrace(jo, matched, window)) {
      inFlight.push(jo.clientOrderId);
      continue;
    }
    if (vo) {
      compareMatched(name, jo, vo, out);
      continue;
    }
    if (!expectedOnVenue(jo, window)) continue;
    if (!venue.lookups.has(jo.clientOrderId)) continue; // not looked up: no conclusion (the shell always looks up)
    const answer = venue.lookups.get(jo.clientOrderId);
    if (answer) ownerOfVenueId.set(answer.id, jo);
    compareUnmatched(name, jo, answer, out);
  }

  const lookedUpIds = new Set([...venue.lookups.values()].flatMap((o) => (o ? [o.id] : [])));
  let imported = 0;
  for (const vo of unclaimed) {
    if (lookedUpIds.has(vo.id) && ownerOfVenueId.has(vo.id)) continue; // claimed through a lookup answer
    imported++;
    const clientOrderId = importId(vo);
    ownerOfVenueId.set(vo.id, {clientOrderId, origin: 'external'});
    const duplicate = vo.clientOrderId !== undefined && journal.orders.some((o) => o.clientOrderId === vo.clientOrderId);
    out.push({
      venue: name,
      kind: 'unknown_on_journal',
      ref: clientOrderId,
      symbol: vo.symbol,
      journalValue: null,
      venueValue: `${vo.side} ${dec(vo.amount)} ${vo.symbol} ${stateOf(vo)} (venue id ${vo.id})`,
      detail: duplicate
        ? `a second venue order with the clientOrderId of journal order ${vo.clientOrderId}: it was submitted twice`
        : `placed outside xarb${vo.clientOrderId ? ` (client id ${vo.clientOrderId})` : ''}`,
      repair: {op: 'import_order', clientOrderId, order: vo},
    });
  }

  // Fills.
  const journalFills = new Map(journal.fills.map((f) => [fillKey(f.symbol, f.tradeId), f]));
  const venueTrades = new Map<string, Trade>();
  for (const t of venue.trades) venueTrades.set(fillKey(t.symbol, t.id), t);
  const flying = new Set(inFlight);
  let tradesInFlight = 0;
  for (const t of venueTrades.values()) {
    if (journalFills.has(fillKey(t.symbol, t.id))) continue;
    const owner = ownerOfVenueId.get(t.orderId) ?? (t.clientOrderId !== undefined ? ownerOfClientId.get(t.clientOrderId) : undefined);
    if (owner && flying.has(owner.clientOrderId)) {
      tradesInFlight++; // the process placing the order records these; a later run checks them
      continue;
    }
    out.push({
      venue: name,
      kind: 'fill_missing_in_journal',
      ref: t.id,
      symbol: t.symbol,
      journalValue: null,
      venueValue: tradeText(t),
      detail: owner ? `order ${owner.clientOrderId}` : `order ${t.orderId} unknown to the journal`,
      repair: {op: 'import_fill', trade: t, clientOrderId: owner?.clientOrderId, origin: owner?.origin ?? 'external'},
    });
  }
  for (const f of journalFills.values()) {
    if (venueTrades.has(fillKey(f.symbol, f.tradeId))) continue;
    if (window.since !== undefined && f.ts < window.since) continue;
    out.push({
      venue: name,
      kind: 'fill_missing_on_venue',
      ref: f.tradeId,
      symbol: f.symbol,
      journalValue: tradeText(f),
      venueValue: null,
      detail: 'the venue does not list this trade; check by hand',
      repair: undefined,
    });
  }

  let ordersCompared = imported;
  for (const jo of journal.orders) if (matched.has(jo.clientOrderId) || venue.lookups.has(jo.clientOrderId)) ordersCompared++;
  const fillsCompared = new Set([...journalFills.keys(), ...venueTrades.keys()]).size - tradesInFlight;
  return {venue: name, discrepancies: out, ordersCompared, fillsCompared, inFlight};
}

/** Value of a fill in quote currency (amount x price), exact. */
export function fillCost(fill: {price: string; amount: string}): string {
  return mul(fill.amount, fill.price);
}
