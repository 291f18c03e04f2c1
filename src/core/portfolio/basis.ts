/**
 * Cost bases for holdings older than the journal (`xarb pnl basis ASSET
 * PRICE`). Each is an event in the append-only log (kind `pnl.basis`), so a
 * basis is never edited in place: the latest event for an asset is the one
 * in force, and an empty price clears it.
 */
import {EventsRepo} from '../journal/events.js';
import type {Db} from '../journal/db.js';
import type {Clock} from '../types.js';
import type {CostBasis} from './pnl.js';

const KIND = 'pnl.basis';

export interface BasisChange {
  readonly asset: string;
  /** Undefined clears the basis. */
  readonly basis: CostBasis | undefined;
  readonly event: number;
}

/** Journals a basis (price per unit in `quote`) for `asset`, or clears it when price is undefined. */
export function setCostBasis(db: Db, clock: Clock, asset: string, price: string | undefined, quote: string): BasisChange {
  const events = new EventsRepo(db, clock);
  const event = events.append({kind: KIND, ref: asset, data: price === undefined ? {asset, cleared: true} : {asset, price, quote}});
  return {asset, basis: price === undefined ? undefined : {asset, price, quote, setAt: clock.now()}, event};
}

/** The cost basis in force per asset. */
export function loadCostBases(db: Db, clock: Clock): Map<string, CostBasis> {
  const out = new Map<string, CostBasis>();
  const seen = new Set<string>();
  // Newest first: the first event per asset is the one in force.
  for (const e of new EventsRepo(db, clock).list({kind: KIND, limit: 100_000})) {
    const asset = typeof e.data.asset === 'string' ? e.data.asset : e.ref;
    if (!asset || seen.has(asset)) continue;
    seen.add(asset);
    if (typeof e.data.price === 'string' && typeof e.data.quote === 'string') out.set(asset, {asset, price: e.data.price, quote: e.data.quote, setAt: e.ts});
  }
  return out;
}
