/**
 * CcxtVenue on the certified venues beyond binance, kraken and okx, against
 * their loopback servers (the unmodified ccxt classes through apiBaseUrl):
 * the shared Venue contract, keyless and signed, plus a lost create answer
 * resolved by our client id with exactly one create request. Venues join this
 * list as their loopback dialects land.
 */
import {afterAll, describe, expect, it, vi} from 'vitest';
import type {VenueConfig} from '../../src/core/config/schema.js';
import {VenueUnavailableError} from '../../src/core/errors.js';
import {clientOrderIdFor} from '../../src/core/execution/ids.js';
import {dialectFor} from '../../src/core/venues/ccxt/dialects.js';
import {systemClock, type Quote} from '../../src/core/types.js';
import {createCcxtVenue, type CcxtCredentials} from '../../src/core/venues/ccxt/index.js';
import type {Venue} from '../../src/core/venues/port.js';
import {TEST_ACCOUNTS, allVenuesScenario, startLoopback, type LoopbackHandle} from '../support/loopback/index.js';
import {venueContract, type ContractExpectations} from './venue-contract.js';

let loopback: Promise<LoopbackHandle> | undefined;
const loop = () => (loopback ??= startLoopback({scenario: allVenuesScenario()}));

afterAll(async () => {
  if (loopback) await (await loopback).close();
});

const QUOTE_SIZED: ContractExpectations = {tradeAmount: '0.01', marketBuyShortfall: '0.01'};

const venues = {
  // coinbase, bitget and gate take market buys as a quote amount (cut to the quote step; bitget and
  // gate charge the fee in the base received): the base filled falls short of the amount asked by
  // the fee and a step or two.
  coinbase: {keys: {apiKey: TEST_ACCOUNTS.coinbase.apiKey, secret: TEST_ACCOUNTS.coinbase.secret}, symbol: 'BTC/USD', create: 'POST /api/v3/brokerage/orders', expectations: {...QUOTE_SIZED, duplicateClientOrderId: 'returns-existing'}},
  bybit: {keys: {apiKey: TEST_ACCOUNTS.bybit.apiKey, secret: TEST_ACCOUNTS.bybit.secret}, symbol: 'BTC/USDT', create: 'POST /v5/order/create', expectations: {}},
  bitget: {
    keys: {apiKey: TEST_ACCOUNTS.bitget.apiKey, secret: TEST_ACCOUNTS.bitget.secret, password: TEST_ACCOUNTS.bitget.passphrase},
    symbol: 'BTC/USDT',
    create: 'POST /api/v2/spot/trade/place-order',
    // A clientOid in use is refused with a code ccxt does not classify: outcome unknown, resolved by the id.
    expectations: {...QUOTE_SIZED, duplicateClientOrderId: 'outcome-unknown'},
  },
  gate: {keys: {apiKey: TEST_ACCOUNTS.gate.apiKey, secret: TEST_ACCOUNTS.gate.secret}, symbol: 'BTC/USDT', create: 'POST /api/v4/spot/orders', expectations: QUOTE_SIZED},
} as const satisfies Record<string, {keys: CcxtCredentials; symbol: string; create: string; expectations: ContractExpectations}>;

type Name = keyof typeof venues;

async function venueOn(exchange: Name, keys: boolean, name: string = exchange): Promise<Venue> {
  const handle = await loop();
  const config: VenueConfig = {exchange, mode: 'live', apiBaseUrl: handle.baseUrl(exchange), options: {rateLimit: 1}};
  return createCcxtVenue(name, config, {clock: systemClock, ...(keys ? {credentials: venues[exchange].keys} : {})});
}

for (const exchange of Object.keys(venues) as Name[]) {
  const {symbol} = venues[exchange];
  venueContract(`ccxt ${exchange} on loopback (public)`, async () => {
    const venue = await venueOn(exchange, false, `${exchange}-public`);
    return {venue, symbol, canTrade: false, cleanup: () => venue.close()};
  });
  venueContract(`ccxt ${exchange} on loopback (private)`, async () => {
    const venue = await venueOn(exchange, true);
    return {venue, symbol, canTrade: true, expectations: venues[exchange].expectations, cleanup: () => venue.close()};
  });

  describe(`ccxt ${exchange}: a lost create answer`, () => {
    it('is resolved by our client id, with exactly one create request', async () => {
      const handle = await loop();
      const venue = await venueOn(exchange, true, `${exchange}-lost`);
      try {
        const [method, path] = venues[exchange].create.split(' ') as [string, string];
        const creates = () => handle.requests(exchange).filter((r) => r.method === method && r.path === path).length;
        const before = creates();
        // As the journal derives it: cut to the venue's length (gate: 28).
        const clientOrderId = clientOrderIdFor(`order-lost-${exchange}`, 0, dialectFor(exchange).clientId.maxLength);
        handle.fault(exchange, venues[exchange].create, {kind: 'answerLost'});
        const book = await venue.fetchOrderBook(symbol, 5);
        const price = String(Math.floor(book.bids[0]![0] * 0.9));
        const error = await venue.createOrder({symbol, side: 'buy', type: 'limit', amount: '0.01', price, clientOrderId}).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(VenueUnavailableError);
        const found = await venue.fetchOrder({clientOrderId}, symbol);
        expect(found).toMatchObject({clientOrderId, status: 'open', symbol});
        expect(creates() - before).toBe(1);
        const canceled = await venue.cancelOrder({clientOrderId}, symbol);
        expect(canceled).toMatchObject({clientOrderId, status: 'canceled'});
        // Found again by client id once it is no longer open.
        expect(await venue.fetchOrder({clientOrderId}, symbol)).toMatchObject({clientOrderId, status: 'canceled'});
      } finally {
        await venue.close();
      }
    });
  });
}

describe('ccxt binance: streamed quotes', () => {
  it('streams best bid/ask (bookTicker) until aborted, following book changes', async () => {
    const handle = await loop();
    const config: VenueConfig = {exchange: 'binance', mode: 'live', apiBaseUrl: handle.baseUrl('binance'), wsBaseUrl: handle.wsUrl('binance'), options: {rateLimit: 1}};
    const venue = await createCcxtVenue('binance-quotes', config, {clock: systemClock});
    try {
      expect(venue.info.capabilities.quoteStream).toBe(true);
      const controller = new AbortController();
      const stream = venue.watchQuotes!(['BTC/USDT'], controller.signal)[Symbol.asyncIterator]();
      const first = stream.next();
      // The server pushes a bookTicker on every book change: change the book once subscribed.
      await vi.waitFor(() => expect(handle.streams('binance')).toContain('btcusdt@bookTicker'), {timeout: 10_000});
      const book = await venue.fetchOrderBook('BTC/USDT', 5);
      handle.state('binance').setBook('BTC/USDT', {bids: [[60_000, 1], ...book.bids], asks: [...book.asks]});
      const one = await first;
      expect(one.done).toBe(false);
      expect(one.value!.map((q: Quote) => [q.venue, q.symbol, q.bid, q.bidSize, q.ask])).toEqual([['binance-quotes', 'BTC/USDT', 60_000, 1, 60_000.5]]);
      handle.state('binance').setBook('BTC/USDT', {bids: [[60_000.25, 2], ...book.bids], asks: [...book.asks]});
      const two = await stream.next();
      expect(two.value!.map((q: Quote) => [q.bid, q.bidSize])).toEqual([[60_000.25, 2]]);
      const ended = stream.next();
      controller.abort();
      expect((await ended).done).toBe(true);
    } finally {
      await venue.close();
    }
  });

  it('is not offered behind a REST gateway without a websocket one', async () => {
    const handle = await loop();
    const venue = await createCcxtVenue('binance-rest', {exchange: 'binance', mode: 'live', apiBaseUrl: handle.baseUrl('binance')}, {clock: systemClock});
    try {
      expect(venue.info.capabilities.quoteStream).toBe(false);
      expect(venue.watchQuotes).toBeUndefined();
    } finally {
      await venue.close();
    }
  });
});
