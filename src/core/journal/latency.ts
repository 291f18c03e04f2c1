/**
 * Measured request latency per venue (table `latency`): the ccxt adapter
 * records each call's duration, the `fastest` route reads the median of a
 * venue's most recent calls. Rows are only appended here.
 */
import type {Db} from './db.js';

/** How many recent calls a venue's median is taken over. */
export const LATENCY_WINDOW = 50;

export class LatencyRepo {
  private readonly db: Db;

  constructor(db: Db) {
    this.db = db;
  }

  /** Appends one measured call. */
  record(venue: string, op: string, ms: number, ts: number): void {
    this.db.prepare('INSERT INTO latency (venue, op, ms, ts) VALUES (?, ?, ?, ?)').run([venue, op, ms, ts]);
  }

  /** Median latency (ms) of each venue's last LATENCY_WINDOW measured calls; venues never measured are absent. */
  medians(venues: readonly string[]): Map<string, number> {
    const out = new Map<string, number>();
    const stmt = this.db.prepare<{ms: number}>('SELECT ms FROM latency WHERE venue = ? ORDER BY ts DESC, id DESC LIMIT ?');
    for (const venue of venues) {
      const values = stmt.all([venue, LATENCY_WINDOW]).map((r) => r.ms).sort((a, b) => a - b);
      if (values.length === 0) continue;
      const m = values.length >> 1;
      out.set(venue, values.length % 2 ? values[m]! : (values[m - 1]! + values[m]!) / 2);
    }
    return out;
  }
}
