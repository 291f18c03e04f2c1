/**
 * binance spot market streams on the venue's own port (ws://host:port/ws/...):
 * clients SUBSCRIBE to `<symbol>@bookTicker` and `<symbol>@depth` /
 * `<symbol>@depth@100ms`, as ccxt.pro's binance does. Every book change in the
 * venue state (an order filling, a test calling setBook) pushes a bookTicker
 * and a depthUpdate diff whose update ids continue the REST depth snapshot's
 * `lastUpdateId`, so ccxt's snapshot + diff merge works.
 *
 * A `/stream` connection gets combined-stream wrapping ({stream, data}).
 */
import {WebSocketServer, type WebSocket} from 'ws';
import type {IncomingMessage} from 'node:http';
import type {Duplex} from 'node:stream';
import {binanceLevel, binanceMarketId} from './dialects/binance.js';
import type {VenueServer} from './server.js';
import type {Level} from '../../../src/core/types.js';

export interface StreamServer {
  /** Streams currently subscribed by any client, e.g. btcusdt@bookTicker. */
  subscriptions(): string[];
  close(): void;
}

interface Client {
  readonly socket: WebSocket;
  readonly combined: boolean;
  readonly streams: Set<string>;
}

function diff(previous: readonly Level[], next: readonly Level[]): [string, string][] {
  const before = new Map(previous.map(([p, a]) => [p, a]));
  const after = new Map(next.map(([p, a]) => [p, a]));
  const out: [string, string][] = [];
  for (const [price, amount] of after) if (before.get(price) !== amount) out.push(binanceLevel([price, amount]));
  for (const price of before.keys()) if (!after.has(price)) out.push(binanceLevel([price, 0]));
  return out;
}

export function attachBinanceStreams(server: VenueServer): StreamServer {
  const wss = new WebSocketServer({noServer: true});
  const clients = new Set<Client>();
  const state = server.state;
  const lastSent = new Map<string, {bids: readonly Level[]; asks: readonly Level[]}>();
  for (const symbol of state.markets.keys()) lastSent.set(symbol, state.book(symbol));

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    if (!path.startsWith('/ws') && !path.startsWith('/stream')) {
      socket.destroy();
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const client: Client = {socket: ws, combined: path.startsWith('/stream'), streams: new Set()};
      const query = new URLSearchParams((req.url ?? '').split('?')[1] ?? '');
      for (const s of (query.get('streams') ?? '').split('/')) if (s) client.streams.add(s);
      clients.add(client);
      ws.on('close', () => clients.delete(client));
      ws.on('message', (data) => {
        let message: {method?: string; params?: unknown[]; id?: unknown};
        try {
          message = JSON.parse(String(data)) as typeof message;
        } catch {
          ws.send(JSON.stringify({error: {code: 3, msg: 'Invalid JSON'}}));
          return;
        }
        const params = (message.params ?? []).map(String);
        if (message.method === 'SUBSCRIBE') for (const p of params) client.streams.add(p);
        else if (message.method === 'UNSUBSCRIBE') for (const p of params) client.streams.delete(p);
        if (message.method === 'LIST_SUBSCRIPTIONS') ws.send(JSON.stringify({result: [...client.streams], id: message.id}));
        else ws.send(JSON.stringify({result: null, id: message.id}));
      });
    });
  };
  server.httpServer.on('upgrade', onUpgrade);

  const unsubscribe = state.onBook((symbol) => {
    const market = state.markets.get(symbol);
    if (!market) return;
    const id = binanceMarketId(market).toLowerCase();
    const book = state.book(symbol);
    const previous = lastSent.get(symbol) ?? {bids: [], asks: []};
    lastSent.set(symbol, book);
    const version = state.bookVersion(symbol);
    const now = state.now();
    const depth = {
      e: 'depthUpdate',
      E: now,
      s: binanceMarketId(market),
      U: version,
      u: version,
      b: diff(previous.bids, book.bids),
      a: diff(previous.asks, book.asks),
    };
    const bid = book.bids[0] ?? [0, 0];
    const ask = book.asks[0] ?? [0, 0];
    const top = {u: version, s: binanceMarketId(market), b: binanceLevel(bid)[0], B: binanceLevel(bid)[1], a: binanceLevel(ask)[0], A: binanceLevel(ask)[1]};
    for (const client of clients) {
      for (const stream of client.streams) {
        let data: unknown;
        if (stream === `${id}@bookTicker`) data = top;
        else if (stream === `${id}@depth` || stream === `${id}@depth@100ms`) data = depth;
        else continue;
        client.socket.send(JSON.stringify(client.combined ? {stream, data} : data));
      }
    }
  });

  return {
    subscriptions: () => [...new Set([...clients].flatMap((c) => [...c.streams]))],
    close() {
      unsubscribe();
      server.httpServer.off('upgrade', onUpgrade);
      for (const client of clients) client.socket.terminate();
      clients.clear();
      wss.close();
    },
  };
}
