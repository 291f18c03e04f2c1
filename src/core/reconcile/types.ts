/**
 * Values the reconcile diff works on. The journal side is a plain snapshot of
 * rows (mapped at the repository edge); the venue side is what the venue
 * answered in one run. Both are readonly: the diff never changes anything, it
 * returns discrepancies, each carrying the repair `--fix` would apply.
 */
import type * as Repo from '../journal/orders.js';
import type {Origin} from '../journal/orders.js';
import type {Balance, Trade, VenueOrder} from '../types.js';

export type {JournalOrderStatus, Origin} from '../journal/orders.js';

/** The fields of a journal order (orders table, see journal/orders.ts) the diff reads. */
export type JournalOrder = Pick<
  Repo.JournalOrder,
  'venue' | 'clientOrderId' | 'venueOrderId' | 'symbol' | 'side' | 'type' | 'amount' | 'price' | 'status' | 'filled' | 'average' | 'origin' | 'createdAt' | 'updatedAt'
>;

/** The fields of a journal fill (fills table) the diff reads. */
export type JournalFill = Pick<Repo.JournalFill, 'venue' | 'tradeId' | 'venueOrderId' | 'clientOrderId' | 'symbol' | 'side' | 'price' | 'amount' | 'fee' | 'ts' | 'origin'>;

/** What the journal holds for one venue, scoped by the shell (see diff.ts). */
export interface JournalState {
  readonly venue: string;
  readonly orders: readonly JournalOrder[];
  readonly fills: readonly JournalFill[];
}

/** What one venue answered during a run. */
export interface VenueState {
  readonly venue: string;
  readonly openOrders: readonly VenueOrder[];
  readonly closedOrders: readonly VenueOrder[];
  readonly trades: readonly Trade[];
  /**
   * Journal orders looked up one by one (fetchOrder by clientOrderId, see
   * `ordersToLookUp`), keyed by clientOrderId; `undefined` means the venue
   * answered that it does not know the order.
   */
  readonly lookups: ReadonlyMap<string, VenueOrder | undefined>;
}

export interface DiffWindow {
  /** The venue's order and trade lists cover this time (ms) onward; undefined = all of history. */
  readonly since: number | undefined;
  /** The run's clock reading (ms). */
  readonly now: number;
  /**
   * pending_submit/unknown orders touched less than this long ago are in
   * flight, not interrupted; open orders the venue does not list are left
   * alone as long. The shell passes max(graceMs, 2 x the venue's request timeout).
   */
  readonly graceMs: number;
}

export const DISCREPANCY_KINDS = [
  'unknown_on_journal',
  'missing_on_venue',
  'status_differs',
  'filled_differs',
  'average_differs',
  'fill_missing_in_journal',
  'fill_missing_on_venue',
  'interrupted',
  'balance_differs',
] as const;
export type DiscrepancyKind = (typeof DISCREPANCY_KINDS)[number];

/**
 * What `--fix` does for one discrepancy; absent when a person has to decide.
 * Applied through the orders repository, which keeps its own rules (a final
 * order never reopens, `filled` never decreases): a repair it refuses leaves
 * the discrepancy open, and the run says so.
 */
export type Repair =
  /** Bring the journal order to the venue's state (status, filled, average, venue id). */
  | {readonly op: 'apply_venue_order'; readonly clientOrderId: string; readonly order: VenueOrder}
  /** End an order the venue does not know. */
  | {readonly op: 'set_status'; readonly clientOrderId: string; readonly status: 'rejected' | 'canceled'; readonly error: string}
  /** Journal an order found only on the venue, origin external. */
  | {readonly op: 'import_order'; readonly clientOrderId: string; readonly order: VenueOrder}
  | {readonly op: 'import_fill'; readonly trade: Trade; readonly clientOrderId: string | undefined; readonly origin: Origin}
  /** Accept the venue's balances as the new baseline. */
  | {readonly op: 'rebaseline'; readonly balances: readonly Balance[]};

export interface Discrepancy {
  readonly venue: string;
  readonly kind: DiscrepancyKind;
  /** clientOrderId, trade id or asset the discrepancy is about. */
  readonly ref: string;
  readonly symbol: string | undefined;
  /** The journal's value and the venue's value, as text; null when that side has nothing. */
  readonly journalValue: string | null;
  readonly venueValue: string | null;
  readonly detail: string | undefined;
  readonly repair: Repair | undefined;
}

export interface VenueDiff {
  readonly venue: string;
  readonly discrepancies: readonly Discrepancy[];
  /** Journal orders compared with a venue order, and venue orders seen. */
  readonly ordersCompared: number;
  readonly fillsCompared: number;
  /** clientOrderIds of pending_submit/unknown orders, and open ones the venue does not list, still inside the grace period (left alone). */
  readonly inFlight: readonly string[];
}
