/**
 * Builds Venues from config: `exchange: sim` -> a simulated venue; any other
 * id -> the ccxt adapter (imported lazily, one class only). Paper-mode venues
 * are wrapped by PaperVenue (market data from the venue, fills from the shared
 * account engine, the account in the journal). Live mode needs keys for
 * anything private; public market data works without them.
 */
import {loadCredentials, type Credentials} from '../config/secrets.js';
import type {VenueConfig} from '../config/schema.js';
import type {Db} from '../journal/db.js';
import {LatencyRepo} from '../journal/latency.js';
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
  const {PaperVenue} = await import('./paper/paper-venue.js');
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
  const latency = db ? new LatencyRepo(db) : undefined;
  // Bad keys (a 0644 keys file, a key without its secret) must not stop public
  // market data: the venue opens without keys and its private calls fail.
  let credentials: Credentials | undefined;
  let keyError: unknown;
  try {
    credentials = loadCredentials(name, config, deps.env);
  } catch (error) {
    keyError = error;
  }
  const venue = await createCcxtVenue(name, config, {
    db,
    clock: deps.clock,
    credentials,
    timeoutMs: config.timeoutMs,
    onLatency: latency ? (op: string, ms: number) => latency.record(name, op, ms, deps.clock.now()) : undefined,
  });
  return keyError === undefined ? venue : withPrivateCallsFailing(venue, keyError);
}

const PRIVATE_CALLS = new Set<string>([
  'fetchBalances',
  'createOrder',
  'cancelOrder',
  'fetchOrder',
  'fetchOpenOrders',
  'fetchClosedOrders',
  'fetchMyTrades',
  'fetchPositions',
  'fetchDepositAddress',
  'withdraw',
  'fetchDeposits',
  'fetchWithdrawals',
]);

/** The venue with every private call rejecting with `error` (public market data still works). */
export function withPrivateCallsFailing(venue: Venue, error: unknown): Venue {
  return new Proxy(venue, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property === 'string' && PRIVATE_CALLS.has(property) && typeof value === 'function') return () => Promise.reject(error);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/**
 * A venue that could not be opened (unknown exchange id, no sandbox, ...):
 * every call rejects with the reason, so fan-out commands show it as one
 * failed row and the other venues still answer.
 */
export function unavailableVenue(name: string, config: VenueConfig, error: unknown): Venue {
  const fail = () => Promise.reject(error);
  return {
    info: {
      id: name,
      exchange: config.exchange,
      simulated: config.exchange === 'sim',
      sandbox: config.sandbox === true,
      mode: config.mode,
      hasKeys: false,
      rateLimitMs: 0,
      capabilities: {bidsAsks: false, orderBookStream: false, positions: false, currencies: false, withdraw: false, depositAddress: false, transfers: false},
    },
    loadMarkets: fail,
    fetchQuotes: fail,
    fetchOrderBook: fail,
    fetchCurrencies: fail,
    fetchServerTime: fail,
    fetchBalances: fail,
    createOrder: fail,
    cancelOrder: fail,
    fetchOrder: fail,
    fetchOpenOrders: fail,
    fetchClosedOrders: fail,
    fetchMyTrades: fail,
    close: async () => {},
  };
}
