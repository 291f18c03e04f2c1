/**
 * Loopback exchange servers: one HTTP server per venue on 127.0.0.1 (ephemeral
 * port), each speaking a real exchange's REST dialect (binance, kraken, okx,
 * coinbase, bybit, bitget, gate) closely enough that the unmodified ccxt class
 * works against it once the scheme and host of its `urls.api` are rewritten to
 * `baseUrl(venue)` (templates like https://api.{hostname} are replaced whole).
 *
 * Usage from a test:
 *   const loop = await startLoopback({scenario: defaultScenario()});
 *   ex.urls.api = rewriteUrls(ex.urls.api, loop.baseUrl('binance'));
 *   loop.fault('binance', 'POST /api/v3/order', {kind: 'answerLost'});
 *   loop.requests('binance').filter((r) => r.path === '/api/v3/order');
 *   await loop.close();
 *
 * A withdrawal to an address that is a deposit address of another venue in
 * the same loopback arrives there as a deposit (so rebalancing can be tested
 * end to end).
 */
import {binance} from './dialects/binance.js';
import {bitget} from './dialects/bitget.js';
import {bybit} from './dialects/bybit.js';
import {coinbase} from './dialects/coinbase.js';
import {gate} from './dialects/gate.js';
import {kraken} from './dialects/kraken.js';
import {okx} from './dialects/okx.js';
import {defaultScenario} from './scenario.js';
import {VenueServer, type Dialect} from './server.js';
import {VenueState} from './state.js';
import {attachBinanceStreams, type StreamServer} from './ws-binance.js';
import type {DialectName, Fault, LoopbackScenario, RecordedRequest} from './types.js';

export type * from './types.js';
export {VenueState} from './state.js';
export type {OrderRecord, TradeRecord, TransferRecord, AccountState, BalanceRecord, MarketSpec} from './state.js';
export {defaultScenario, TEST_ACCOUNTS, ladder, allVenuesScenario, coinbaseVenue, bybitVenue, bitgetVenue, gateVenue} from './scenario.js';

export const DIALECTS: Readonly<Record<DialectName, Dialect>> = {binance, kraken, okx, coinbase, bybit, bitget, gate};

export interface LoopbackOptions {
  /** Default: defaultScenario() (binance, kraken and okx). */
  readonly scenario?: LoopbackScenario;
  readonly host?: string;
  /** Clock for timestamps and signature windows (default Date.now). */
  readonly now?: () => number;
}

export interface LoopbackHandle {
  readonly venues: readonly string[];
  /** Scheme and host to put in place of the exchange's, e.g. http://127.0.0.1:41234 */
  baseUrl(venue: string): string;
  /** Websocket base (binance only): ws://127.0.0.1:41234 */
  wsUrl(venue: string): string;
  /** Websocket streams currently subscribed on a binance-dialect venue. */
  streams(venue: string): string[];
  /** Requests received so far, oldest first. */
  requests(venue: string): readonly RecordedRequest[];
  clearRequests(venue?: string): void;
  /** Arms a fault for requests whose path (or "METHOD /path") equals `pattern`, or whose "METHOD /path" matches a RegExp. */
  fault(venue: string, pattern: string | RegExp, fault: Fault): void;
  clearFaults(venue?: string): void;
  /** The venue's live state: books, accounts, balances, orders, trades, transfers. */
  state(venue: string): VenueState;
  close(): Promise<void>;
}

function dialectOf(name: string, declared: DialectName | undefined): Dialect {
  const key = declared ?? (name as DialectName);
  const dialect = DIALECTS[key];
  if (!dialect) throw new Error(`loopback: venue ${name} needs a dialect (${Object.keys(DIALECTS).join(', ')})`);
  return dialect;
}

export async function startLoopback(options: LoopbackOptions = {}): Promise<LoopbackHandle> {
  const scenario = options.scenario ?? defaultScenario();
  const now = options.now ?? Date.now;
  const servers = new Map<string, VenueServer>();
  const streams = new Map<string, StreamServer>();
  for (const [name, venue] of Object.entries(scenario.venues)) {
    const dialect = dialectOf(name, venue.dialect);
    const state = new VenueState(name, venue, dialect.policy, now);
    const server = new VenueServer(name, dialect, state);
    servers.set(name, server);
    if (dialect.name === 'binance') streams.set(name, attachBinanceStreams(server));
  }
  // Route withdrawals to a sibling venue's deposit address.
  for (const server of servers.values()) {
    server.state.onWithdrawal = (record) => {
      if (record.address === undefined || record.status !== 'ok') return;
      for (const other of servers.values()) {
        if (other === server) continue;
        const owner = other.state.ownerOfAddress(record.asset, record.address);
        if (!owner) continue;
        other.state.deposit(owner.apiKey, {
          asset: record.asset,
          amount: server.state.received(record),
          address: record.address,
          txid: record.txid,
          ...(record.network !== undefined ? {network: record.network} : {}),
        });
        return;
      }
    };
  }
  try {
    await Promise.all([...servers.values()].map((s) => s.listen(options.host ?? '127.0.0.1', 0)));
  } catch (error) {
    await Promise.all([...servers.values()].map((s) => s.close().catch(() => undefined)));
    throw error;
  }

  const get = (venue: string): VenueServer => {
    const server = servers.get(venue);
    if (!server) throw new Error(`loopback: no venue ${venue} (have ${[...servers.keys()].join(', ')})`);
    return server;
  };
  return {
    venues: [...servers.keys()],
    baseUrl: (venue) => get(venue).baseUrl,
    wsUrl: (venue) => {
      if (!streams.has(venue)) throw new Error(`loopback: venue ${venue} has no websocket side`);
      return get(venue).baseUrl.replace(/^http/, 'ws');
    },
    streams: (venue) => {
      const stream = streams.get(venue);
      if (!stream) throw new Error(`loopback: venue ${venue} has no websocket side`);
      return stream.subscriptions();
    },
    requests: (venue) => get(venue).requests,
    clearRequests: (venue) => {
      for (const server of venue === undefined ? servers.values() : [get(venue)]) server.requests.length = 0;
    },
    fault: (venue, pattern, fault) => get(venue).addFault(pattern, fault),
    clearFaults: (venue) => {
      for (const server of venue === undefined ? servers.values() : [get(venue)]) server.clearFaults();
    },
    state: (venue) => get(venue).state,
    close: async () => {
      for (const stream of streams.values()) stream.close();
      await Promise.all([...servers.values()].map((s) => s.close()));
    },
  };
}

/**
 * Replaces the scheme and host of every string in a ccxt `urls.api` tree with
 * `base` (paths kept). Placeholders like https://{hostname} are replaced too.
 */
export function rewriteUrls<T>(api: T, base: string): T {
  const swap = (value: unknown): unknown => {
    if (typeof value === 'string') return value.replace(/^(https?|wss?):\/\/[^/]+/, (_m, scheme: string) => (scheme.startsWith('ws') ? base.replace(/^http/, 'ws') : base));
    if (Array.isArray(value)) return value.map(swap);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, swap(v)]));
    return value;
  };
  return swap(api) as T;
}
