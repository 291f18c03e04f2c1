/**
 * Plans in the journal: the intent and the routed plan behind a batch of
 * orders (an order, an arbitrage, a rebalance step), keyed by the plan id
 * that also makes each child's clientOrderId.
 */
import type {Clock} from '../types.js';
import type {Db} from './db.js';

export type PlanKind = 'order' | 'arb' | 'rebalance';
export type PlanStatus = 'planned' | 'sending' | 'done' | 'partial' | 'failed' | 'denied' | 'unknown';

export interface PlanRecord {
  readonly id: string;
  readonly createdAt: number;
  readonly kind: PlanKind;
  readonly intent: unknown;
  readonly plan: unknown;
  readonly status: PlanStatus;
}

export class PlansRepo {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  insert(plan: Omit<PlanRecord, 'createdAt'> & {createdAt?: number}): PlanRecord {
    const createdAt = plan.createdAt ?? this.clock.now();
    this.db
      .prepare('INSERT INTO plans (id, created_at, kind, intent, plan, status) VALUES (?, ?, ?, ?, ?, ?)')
      .run([plan.id, createdAt, plan.kind, JSON.stringify(plan.intent), JSON.stringify(plan.plan), plan.status]);
    return {...plan, createdAt};
  }

  get(id: string): PlanRecord | undefined {
    const row = this.db.prepare<{id: string; created_at: number; kind: PlanKind; intent: string; plan: string; status: PlanStatus}>('SELECT * FROM plans WHERE id = ?').get([id]);
    return row ? {id: row.id, createdAt: row.created_at, kind: row.kind, intent: JSON.parse(row.intent), plan: JSON.parse(row.plan), status: row.status} : undefined;
  }

  /** Ids of the plans placed with this user key (`--client-id`, stored as the intent's `clientId`), oldest first. */
  byClientId(clientId: string): string[] {
    return this.db
      .prepare<{id: string}>("SELECT id FROM plans WHERE json_extract(intent, '$.clientId') = ? ORDER BY created_at, id")
      .all([clientId])
      .map((r) => r.id);
  }

  setStatus(id: string, status: PlanStatus): void {
    this.db.prepare('UPDATE plans SET status = ? WHERE id = ?').run([status, id]);
  }

}
