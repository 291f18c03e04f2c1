/**
 * The append-only event log: every state change the journal records
 * (orders sent, answered, resolved, risk denials, trading-state changes,
 * reconcile fixes) appends one row. Rows are never updated or deleted (the
 * schema's triggers refuse it). `data` is JSON and never holds secrets.
 *
 * Usage: `new EventsRepo(db, clock).append({kind: 'order.sent', venue, ref, data})`.
 * Kinds are dotted names owned by the area that writes them (order.*, risk.*,
 * plan.*, reconcile.*, rebalance.*).
 */
import type {Clock} from '../types.js';
import type {Db} from './db.js';

export interface EventInput {
  readonly kind: string;
  readonly venue?: string;
  /** What the event is about: a clientOrderId, plan id, run id ... */
  readonly ref?: string;
  readonly data?: Readonly<Record<string, unknown>>;
  /** When it happened (ms), when that was before it is written; default now. */
  readonly at?: number;
}

export interface JournalEvent {
  readonly id: number;
  readonly ts: number;
  readonly kind: string;
  readonly venue: string | undefined;
  readonly ref: string | undefined;
  readonly data: Readonly<Record<string, unknown>>;
}

export interface EventQuery {
  /** Exact kind, or a prefix ending in '.' (e.g. 'risk.'). */
  readonly kind?: string;
  readonly ref?: string;
  readonly venue?: string;
  readonly since?: number;
  /** Newest first when set; default 1000. */
  readonly limit?: number;
}

interface EventRow {
  id: number;
  ts: number;
  kind: string;
  venue: string | null;
  ref: string | null;
  data: string;
}

function toEvent(row: EventRow): JournalEvent {
  return {id: row.id, ts: row.ts, kind: row.kind, venue: row.venue ?? undefined, ref: row.ref ?? undefined, data: JSON.parse(row.data) as Record<string, unknown>};
}

export class EventsRepo {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Appends one event; returns its id. Joins the caller's transaction when inside db.tx. */
  append(event: EventInput): number {
    const info = this.db
      .prepare('INSERT INTO events (ts, kind, venue, ref, data) VALUES (?, ?, ?, ?, ?)')
      .run([event.at ?? this.clock.now(), event.kind, event.venue ?? null, event.ref ?? null, JSON.stringify(event.data ?? {})]);
    return Number(info.lastInsertRowid);
  }

  /**
   * Appends one event without reading back its id: inside a transaction on
   * PostgreSQL it goes with the transaction's next round trip (see pg/db.ts).
   */
  add(event: EventInput): void {
    this.db
      .prepare('INSERT INTO events (ts, kind, venue, ref, data) VALUES (?, ?, ?, ?, ?)')
      .run([event.at ?? this.clock.now(), event.kind, event.venue ?? null, event.ref ?? null, JSON.stringify(event.data ?? {})]);
  }

  /** Events matching the query, newest first. */
  list(query: EventQuery = {}): JournalEvent[] {
    const kind = query.kind ?? '';
    const prefix = kind.endsWith('.');
    const rows = this.db
      .prepare<EventRow>(
        `SELECT id, ts, kind, venue, ref, data FROM events
         WHERE (:kind = '' OR (CASE WHEN :prefix = 1 THEN substr(kind, 1, length(:kind)) = :kind ELSE kind = :kind END))
           AND (:ref IS NULL OR ref = :ref)
           AND (:venue IS NULL OR venue = :venue)
           AND ts >= :since
         ORDER BY id DESC LIMIT :limit`,
      )
      .all({kind, prefix: prefix ? 1 : 0, ref: query.ref ?? null, venue: query.venue ?? null, since: query.since ?? 0, limit: query.limit ?? 1000});
    return rows.map(toEvent);
  }
}
