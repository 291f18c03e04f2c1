/**
 * The cheaper ccxt construction (src/core/venues/ccxt/construct.ts,
 * constructExchange) must give the same object as ccxt's own constructor, for
 * every exchange ccxt ships:
 * the same own properties (only the snake_case alias of the overridden method,
 * `define_rest_api`, is created earlier, as the subclass's prototype is walked
 * first), the same shared methods, and endpoint methods that call the request
 * method with the same arguments.
 */
import {describe, expect, it} from 'vitest';
import {constructExchange, fastExchangeClass, pathSuffixes} from '../../src/core/venues/ccxt/construct.js';
import {CERTIFIED_VENUES} from '../../src/core/venues/ccxt/dialects.js';
import {loadExchangeClass, type ExchangeClass} from '../../src/core/venues/ccxt/load.js';
import {ccxtExchangeIds} from '../../src/core/venues/catalog.js';

type Bag = Record<string, unknown>;

/** Calls every endpoint method of `ex` with a recording request method; returns name -> request arguments. */
function endpointCalls(ex: Bag, names: readonly string[]): Map<string, unknown[]> {
  const calls = new Map<string, unknown[]>();
  let last: unknown[] = [];
  ex.request = (...args: unknown[]) => {
    last = args;
    return Promise.resolve(undefined);
  };
  for (const name of names) {
    last = [];
    void (ex[name] as (params: unknown, context: unknown) => Promise<unknown>)({marker: name}, {ctx: 1});
    calls.set(name, last);
  }
  return calls;
}

/** Builds `Exchange` both ways and checks the two objects are the same (see the file header). */
function expectSameConstruction(Exchange: ExchangeClass): void {
  const config = {apiKey: 'k', secret: 's'};
  const original = new Exchange(config) as unknown as Bag;
  const Fast = fastExchangeClass(Exchange);
  const fast = constructExchange(Exchange, config) as unknown as Bag;
  expect(Object.getPrototypeOf(fast)).toBe(Fast.prototype);
  // Aliases of the class itself (`constructor`) name the subclass on the fast object.
  const isClass = (k: string) => original[k] === Exchange && fast[k] === Fast;
  // The overridden method itself (and its snake_case alias) is the subclass's.
  const overridden = (Fast.prototype as unknown as Bag).defineRestApi;
  const isOverride = (k: string) => fast[k] === overridden;
  expect(fast.define_rest_api).toBe(overridden);
  const keys = Object.keys(original);
  const positions = (k: string[]) => k.filter((x) => x !== 'define_rest_api');
  expect(positions(Object.keys(fast))).toEqual(positions(keys));
  expect(Object.keys(fast)).toHaveLength(keys.length);
  const endpoints = keys.filter((k) => typeof original[k] === 'function' && original[k] !== fast[k] && !isClass(k) && !isOverride(k));
  for (const k of keys) {
    if (typeof original[k] !== 'function' || endpoints.includes(k) || isClass(k) || isOverride(k)) continue;
    expect(fast[k], k).toBe(original[k]);
  }
  if (Object.keys((original.api as Bag | undefined) ?? {}).length > 0) expect(endpoints.length).toBeGreaterThan(0);
  expect(endpointCalls(fast, endpoints)).toEqual(endpointCalls(original, endpoints));
}

describe('pathSuffixes', () => {
  it.each([
    ['api/v3/ticker/bookTicker', 'ApiV3TickerBookTicker', 'api_v3_ticker_bookticker'],
    ['/private/get-order-detail', 'PrivateGetOrderDetail', 'private_get_order_detail'],
    ['{id}/orders', 'IdOrders', 'id_orders'],
    ['v5/order/realtime', 'V5OrderRealtime', 'v5_order_realtime'],
    ['0/public/Ticker', '0PublicTicker', '0_public_ticker'],
    ['', '', ''],
    ['a..b', 'AB', 'a_b'],
  ])('%s', (path, camel, snake) => {
    expect(pathSuffixes(path)).toEqual({camel, snake});
  });
});

describe('fastExchangeClass', () => {
  it('is one subclass per exchange class', async () => {
    const Binance = await loadExchangeClass('binance');
    expect(fastExchangeClass(Binance)).toBe(fastExchangeClass(Binance));
    expect(new (fastExchangeClass(Binance))()).toBeInstanceOf(Binance);
  });

  it('falls back to ccxt for a malformed API table, raising ccxt\'s own error', async () => {
    const Kraken = await loadExchangeClass('kraken');
    const bad = {api: {public: {get: {Ticker: 'one'}}}};
    expect(() => new Kraken(bad)).toThrow(/API format is not supported/);
    expect(() => new (fastExchangeClass(Kraken))(bad)).toThrow(/API format is not supported/);
    expect(() => constructExchange(Kraken, bad)).toThrow(/API format is not supported/);
  });

  it.each(ccxtExchangeIds())('%s: same object as ccxt builds', async (id) => {
    expectSameConstruction(await loadExchangeClass(id));
  }, 30_000);

  it.each([...CERTIFIED_VENUES])('%s websocket class: same object as ccxt builds', async (id) => {
    expectSameConstruction(await loadExchangeClass(id, true));
  }, 30_000);
});
