/**
 * Builds Venues from config: `exchange: sim` -> a simulated venue; any other
 * id -> the ccxt adapter (imported lazily, one class only). Paper-mode venues
 * are wrapped by PaperVenue (market data from the venue, fills from the shared
 * matching engine, balances in the journal). Live mode needs keys for
 * anything private; public market data works without them.
 */
import {loadCredentials} from '../config/secrets.js';
import type {VenueConfig} from '../config/schema.js';
import type {Db} from '../journal/db.js';
import type {Clock} from '../types.js';
import type {Venue} from './port.js';

export interface VenueDeps {
  readonly db: Db | undefined;
  readonly clock: Clock;
  readonly env?: NodeJS.ProcessEnv;
  /** Wrap paper-mode venues in PaperVenue (off for pure market-data commands that want the raw venue). */
  readonly paper?: boolean;
}

export async function createVenue(name: string, config: VenueConfig, deps: VenueDeps): Promise<Venue> {
  const inner = await createRawVenue(name, config, deps);
  if (config.mode !== 'paper' || deps.paper === false || !deps.db) return inner;
  const {PaperVenue} = await import('../execution/paper.js');
  const initialBalances = config.paperBalances ?? (config.exchange === 'sim' ? (await import('./sim/index.js')).demoPaperBalances(name) : {});
  return new PaperVenue({inner, db: deps.db, clock: deps.clock, initialBalances});
}

async function createRawVenue(name: string, config: VenueConfig, deps: VenueDeps): Promise<Venue> {
  if (config.exchange === 'sim') {
    const {createSimVenue} = await import('./sim/index.js');
    return createSimVenue(name, config, deps.clock);
  }
  const {createCcxtVenue} = await import('./ccxt/index.js');
  const db = deps.db;
  const record = db ? db.prepare('INSERT INTO latency (venue, op, ms, ts) VALUES (?, ?, ?, ?)') : undefined;
  return createCcxtVenue(name, config, {
    db,
    clock: deps.clock,
    credentials: loadCredentials(name, config, deps.env),
    timeoutMs: config.timeoutMs,
    onLatency: record ? (op: string, ms: number) => record.run([name, op, ms, deps.clock.now()]) : undefined,
  });
}
