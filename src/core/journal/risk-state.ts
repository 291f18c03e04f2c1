/**
 * The trading state (kill switch), one row: `active` (every check applies),
 * `reducing` (only orders that shrink a position pass), `halted` (nothing is
 * sent). Every change appends a `risk.state` event. Read it inside the same
 * transaction as the order write so a halt from another process is seen.
 */
import {UsageError} from '../errors.js';
import type {Clock} from '../types.js';
import type {Db} from './db.js';
import {EventsRepo} from './events.js';

export type TradingState = 'active' | 'reducing' | 'halted';
export const TRADING_STATES: readonly TradingState[] = ['active', 'reducing', 'halted'];

export interface TradingStateRecord {
  readonly state: TradingState;
  readonly reason: string | undefined;
  readonly updatedAt: number;
}

export class RiskStateRepo {
  private readonly events: EventsRepo;
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {
    this.events = new EventsRepo(db, clock);
  }

  get(): TradingStateRecord {
    const row = this.db.prepare<{state: TradingState; reason: string | null; updated_at: number}>('SELECT state, reason, updated_at FROM risk_state WHERE id = 1').get();
    if (!row) return {state: 'active', reason: undefined, updatedAt: 0};
    return {state: row.state, reason: row.reason ?? undefined, updatedAt: row.updated_at};
  }

  /** Sets the state (idempotent: setting the current state again only refreshes the reason). */
  set(state: TradingState, reason?: string): TradingStateRecord {
    if (!TRADING_STATES.includes(state)) throw new UsageError(`trading state must be one of ${TRADING_STATES.join(', ')}`);
    return this.db.tx(() => {
      const before = this.get();
      const now = this.clock.now();
      this.db
        .prepare('INSERT INTO risk_state (id, state, reason, updated_at) VALUES (1, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET state = excluded.state, reason = excluded.reason, updated_at = excluded.updated_at')
        .run([state, reason ?? null, now]);
      this.events.append({kind: 'risk.state', data: {from: before.state, to: state, reason: reason ?? null}});
      return {state, reason, updatedAt: now};
    });
  }
}
