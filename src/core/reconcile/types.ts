/**
 * Values the reconcile diff works on. The journal side is a plain snapshot of
 * rows (mapped at the repository edge); the venue side is what the venue
 * answered in one run. Both are readonly: the diff never changes anything, it
 * returns discrepancies, each carrying the repair `--fix` would apply.
 */
import type {Balance, OrderType, Side, Trade, VenueOrder, VenueOrderStatus} from '../types.js';

export type JournalOrderStatus = 'pending_submit' | 'unknown' | VenueOrderStatus;
export type Origin = 'xarb' | 'external';

/** An order as the journal holds it (orders table). */
export interface JournalOrder {
  readonly venue: string;
  readonly clientOrderId: string;
  readonly venueOrderId: string | undefined;
  readonly symbol: string;
  readonly side: Side;
  readonly type: OrderType;
  readonly amount: string;
  readonly price: string | undefined;
  readonly status: JournalOrderStatus;
  readonly filled: string;
  readonly average: string | undefined;
  readonly origin: Origin;
  readonly createdAt: number;
  readonly updatedAt: number;
}

/** A fill as the journal holds it (fills table). */
export interface JournalFill {
  readonly venue: string;
  readonly tradeId: string;
  readonly venueOrderId: string | undefined;
  readonly clientOrderId: string | undefined;
  readonly symbol: string;
  readonly side: Side;
  readonly price: string;
  readonly amount: string;
  readonly feeCost: string | undefined;
  readonly feeCurrency: string | undefined;
  readonly ts: number;
  readonly origin: Origin;
}

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
  /** pending_submit/unknown orders touched less than this long ago are in flight, not interrupted. */
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

/** Fields `--fix` may set on a journal order. `average: null` clears it. */
export interface OrderPatch {
  readonly status?: VenueOrderStatus;
  readonly filled?: string;
  readonly average?: string | null;
  readonly venueOrderId?: string;
  readonly error?: string;
}

/** What `--fix` does for one discrepancy; absent when a person has to decide. */
export type Repair =
  | {readonly op: 'update_order'; readonly clientOrderId: string; readonly patch: OrderPatch}
  | {readonly op: 'import_order'; readonly clientOrderId: string; readonly order: VenueOrder}
  | {readonly op: 'import_fill'; readonly trade: Trade; readonly clientOrderId: string | undefined; readonly origin: Origin}
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
  /** clientOrderIds of pending_submit/unknown orders still inside the grace period (left alone). */
  readonly inFlight: readonly string[];
}
