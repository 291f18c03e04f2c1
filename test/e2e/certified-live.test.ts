/**
 * Live orders on coinbase, bybit, bitget and gate through the built CLI
 * against their loopback servers: a market buy (coinbase, bitget, gate: a
 * quote amount; gate: a 28-character client id behind its t- prefix), a resting limit,
 * a lost create answer resolved by our client id with exactly one create
 * request, and `reconcile` finding the journal and the venue in line (bybit's
 * fetchOrder needs `acknowledged`; coinbase ignores ccxt's unmapped client id).
 */
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {allVenuesScenario, startLoopback, TEST_ACCOUNTS, type LoopbackHandle} from '../support/loopback/index.js';
import {dialectFor} from '../../src/core/venues/ccxt/dialects.js';
import {json, runCli, tempHome} from '../support/cli.js';

const ENV = {
  XARB_COINBASE_API_KEY: TEST_ACCOUNTS.coinbase.apiKey,
  XARB_COINBASE_SECRET: TEST_ACCOUNTS.coinbase.secret,
  XARB_BYBIT_API_KEY: TEST_ACCOUNTS.bybit.apiKey,
  XARB_BYBIT_SECRET: TEST_ACCOUNTS.bybit.secret,
  XARB_BITGET_API_KEY: TEST_ACCOUNTS.bitget.apiKey,
  XARB_BITGET_SECRET: TEST_ACCOUNTS.bitget.secret,
  XARB_BITGET_PASSWORD: TEST_ACCOUNTS.bitget.passphrase,
  XARB_GATE_API_KEY: TEST_ACCOUNTS.gate.apiKey,
  XARB_GATE_SECRET: TEST_ACCOUNTS.gate.secret,
};

const cases = [
  {venue: 'coinbase', symbol: 'BTC/USD', create: 'POST /api/v3/brokerage/orders', limit: '50000'},
  {venue: 'bybit', symbol: 'BTC/USDT', create: 'POST /v5/order/create', limit: '50000'},
  {venue: 'bitget', symbol: 'BTC/USDT', create: 'POST /api/v2/spot/trade/place-order', limit: '50000'},
  {venue: 'gate', symbol: 'BTC/USDT', create: 'POST /api/v4/spot/orders', limit: '50000'},
] as const;

describe.each(cases)('live orders on $venue (loopback)', ({venue, symbol, create, limit}) => {
  let loop: LoopbackHandle;
  let home: string;
  const creates = () => {
    const [method, path] = create.split(' ');
    return loop.requests(venue).filter((r) => r.method === method && r.path === path).length;
  };
  beforeAll(async () => {
    loop = await startLoopback({scenario: allVenuesScenario()});
    home = tempHome({valuationQuote: 'USDT', venues: {[venue]: {exchange: venue, mode: 'live', apiBaseUrl: loop.baseUrl(venue), options: {rateLimit: 1}}}});
  });
  afterAll(async () => {
    await loop.close();
  });

  it('a market buy fills; a limit rests; a lost answer is resolved with one create; reconcile finds them in line', async () => {
    const run = (args: string[]) => runCli(args, {home, env: ENV, timeoutMs: 120_000});
    const buy = await run(['order', 'buy', symbol, '0.01', '--venue', venue, '--yes', '--json']);
    expect(buy.code, buy.stderr).toBe(0);
    const placed = json(buy).orders[0];
    expect(placed).toMatchObject({status: 'closed', venue});
    // Our id, cut to the venue's length, is what the venue holds (gate: behind its t- prefix).
    expect(placed.clientOrderId).toHaveLength(dialectFor(venue).clientId.maxLength);
    const held = loop.state(venue).accounts.get(TEST_ACCOUNTS[venue].apiKey)!.orders.map((o) => o.clientOrderId);
    expect(held).toContain(`${dialectFor(venue).clientId.echoPrefix ?? ''}${placed.clientOrderId}`);

    const rest = await run(['order', 'buy', symbol, '0.01', '--limit', limit, '--venue', venue, '--yes', '--json']);
    expect(rest.code, rest.stderr).toBe(0);
    expect(json(rest).orders[0]).toMatchObject({status: 'open'});

    const before = creates();
    loop.fault(venue, create, {kind: 'answerLost'});
    const lost = await run(['order', 'buy', symbol, '0.01', '--limit', limit, '--venue', venue, '--yes', '--json']);
    expect(creates() - before).toBe(1);
    expect(json(lost).orders[0]).toMatchObject({status: 'open'});

    const reconcile = await run(['reconcile', '--json']);
    expect(reconcile.code, reconcile.stdout + reconcile.stderr).toBe(0);
  });
});
