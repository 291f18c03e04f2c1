/**
 * CcxtVenue wiring that needs no exchange scenario: constructor options,
 * cache fingerprints, and binance's URL-chosen error table behind a gateway,
 * checked against a one-route local HTTP server.
 */
import {createServer, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import type {VenueConfig} from '../../src/core/config/schema.js';
import {InvalidOrderError, VenueRejectedError, VenueUnavailableError} from '../../src/core/errors.js';
import {systemClock} from '../../src/core/types.js';
import {UsageError} from '../../src/core/errors.js';
import {dialectFor, pickWithdrawKey} from '../../src/core/venues/ccxt/dialects.js';
import {createCcxtVenue, marketsFingerprint} from '../../src/core/venues/ccxt/index.js';
import {constructorConfig} from '../../src/core/venues/ccxt/venue.js';

describe('constructorConfig', () => {
  const base: VenueConfig = {exchange: 'binance', mode: 'live'};

  it('keeps the rate limiter on and the timeout ours, whatever the user passes', () => {
    const out = constructorConfig({...base, options: {enableRateLimit: false, timeout: 1, rateLimit: 20}}, dialectFor('binance'), 5000);
    expect(out).toMatchObject({enableRateLimit: true, timeout: 5000, rateLimit: 20});
  });

  it('puts dialect defaults under the user options, key by key', () => {
    const out = constructorConfig({...base, options: {options: {fetchMarkets: {types: ['spot', 'linear']}, defaultType: 'spot'}}}, dialectFor('binance'), 1);
    expect(out.options).toEqual({
      fetchMarkets: {types: ['spot', 'linear']},
      fetchMargins: false,
      fetchCurrencies: false,
      warnOnFetchOpenOrdersWithoutSymbol: false,
      defaultType: 'spot',
    });
    expect(constructorConfig({...base, exchange: 'coinbase'}, dialectFor('coinbase'), 1).options).toEqual({});
  });

  it('passes credentials only when given', () => {
    expect(constructorConfig(base, dialectFor('okx'), 1, {apiKey: 'k', secret: 's', password: 'p'})).toMatchObject({apiKey: 'k', secret: 's', password: 'p'});
    expect(constructorConfig(base, dialectFor('okx'), 1)).not.toHaveProperty('apiKey');
  });
});

describe('marketsFingerprint', () => {
  it('changes with exchange, base URL, sandbox and options; not with mode or fees', () => {
    const base: VenueConfig = {exchange: 'binance', mode: 'live'};
    const f = marketsFingerprint(base);
    expect(marketsFingerprint({...base, mode: 'paper', fees: {taker: 0.0005}})).toBe(f);
    expect(marketsFingerprint({...base, exchange: 'kraken'})).not.toBe(f);
    expect(marketsFingerprint({...base, apiBaseUrl: 'http://127.0.0.1:1'})).not.toBe(f);
    expect(marketsFingerprint({...base, sandbox: true})).not.toBe(f);
    expect(marketsFingerprint({...base, options: {options: {fetchMarkets: {types: ['spot', 'linear']}}}})).not.toBe(f);
  });
});

describe('binance behind apiBaseUrl keeps its spot error table', () => {
  let server: Server;
  let baseUrl: string;
  let answer: {code: number; msg: string};

  beforeAll(async () => {
    server = createServer((_req, res) => {
      res.writeHead(400, {'content-type': 'application/json'});
      res.end(JSON.stringify(answer));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const attempt = async () => {
    const venue = await createCcxtVenue('gw', {exchange: 'binance', mode: 'live', apiBaseUrl: baseUrl}, {clock: systemClock});
    try {
      return await venue.loadMarkets().then(() => undefined, (e: unknown) => e);
    } finally {
      await venue.close();
    }
  };

  it('-1008 (server overloaded, spot-only code) is outcome-unknown, not a refusal', async () => {
    answer = {code: -1008, msg: 'Server is currently overloaded with other requests. Please try again in a few minutes.'};
    const error = await attempt();
    expect(error).toBeInstanceOf(VenueUnavailableError);
  });

  it('-2026 (spot-only code) is an invalid order, not a generic refusal', async () => {
    answer = {code: -2026, msg: 'Order was canceled or expired.'};
    const error = await attempt();
    expect(error).toBeInstanceOf(InvalidOrderError);
  });

  it('an unknown code is an unknown outcome, never a definite refusal (the order may exist)', async () => {
    answer = {code: -987654, msg: 'Something else.'};
    const error = await attempt();
    expect(error).toBeInstanceOf(VenueUnavailableError);
    expect(error).not.toBeInstanceOf(VenueRejectedError);
  });
});

describe('pickWithdrawKey (kraken saved addresses)', () => {
  // Shape of kraken's WithdrawAddresses result.
  const saved = [
    {address: 'bc1qaaa', asset: 'XBT', method: 'Bitcoin', key: 'cold-wallet', verified: true},
    {address: 'rXRP', asset: 'XRP', method: 'Ripple XRP', key: 'xrp-a', tag: '111', verified: true},
    {address: 'rXRP', asset: 'XRP', method: 'Ripple XRP', key: 'xrp-b', tag: '222', verified: true},
  ];

  it('finds the key by address, and by tag when addresses repeat', () => {
    expect(pickWithdrawKey(saved, {asset: 'BTC', amount: '1', address: 'bc1qaaa'})).toBe('cold-wallet');
    expect(pickWithdrawKey(saved, {asset: 'XRP', amount: '1', address: 'rXRP', tag: '222'})).toBe('xrp-b');
  });

  it('an address not saved on the account is a usage error', () => {
    expect(() => pickWithdrawKey(saved, {asset: 'BTC', amount: '1', address: 'bc1qother'})).toThrow(UsageError);
    expect(() => pickWithdrawKey(undefined, {asset: 'BTC', amount: '1', address: 'bc1qaaa'})).toThrow(UsageError);
  });
});
