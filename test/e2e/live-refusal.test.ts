/**
 * Live orders are refused where our client id cannot round-trip (the
 * capability matrix says bitso has no lookup by client id): exit 2 with the
 * reason and the opt-out, before any request. A local server counts what
 * reaches it; with the documented opt-out the order is sent.
 */
import {createServer, type IncomingMessage, type Server} from 'node:http';
import type {AddressInfo} from 'node:net';
import {afterAll, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {capabilityOf} from '../../src/core/venues/ccxt/capabilities.js';
import {json, runCli, tempHome} from '../support/cli.js';

const ENV = {XARB_COIN_API_KEY: 'dummy-key-not-real', XARB_COIN_SECRET: 'dummy-secret-not-real'};

describe('live orders on a venue whose client id does not round-trip', () => {
  let server: Server;
  let baseUrl: string;
  let seen: string[] = [];

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(503, {'content-type': 'application/json'});
      res.end('{"error":"unavailable"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    seen = [];
  });

  const home = (extra: Record<string, unknown> = {}) =>
    tempHome({valuationQuote: 'USDT', venues: {coin: {exchange: 'bitso', mode: 'live', apiBaseUrl: baseUrl, timeoutMs: 2000, ...extra}}});

  it('the matrix says bitso cannot find an order by our id', () => {
    expect(capabilityOf('bitso')).toMatchObject({clientIdRoundTrip: false, certified: false});
  });

  it('exits 2 with why and what to do, and sends nothing', async () => {
    const result = await runCli(['order', 'buy', 'BTC/USDT', '0.01', '--venue', 'coin', '--yes'], {home: home(), env: ENV});
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: coin: live orders are refused: bitso cannot find an order by our client id/m);
    expect(result.stderr).toContain('allowLiveWithoutIdempotency=true');
    expect(result.stderr).not.toMatch(/\n\s+at /); // no stack trace
    expect(seen).toEqual([]);
  });

  it('with the opt-out the order goes to the venue', async () => {
    const result = await runCli(['order', 'buy', 'BTC/USDT', '0.01', '--venue', 'coin', '--yes', '--json'], {home: home({allowLiveWithoutIdempotency: true}), env: ENV});
    expect(result.code).not.toBe(2);
    expect(seen.length).toBeGreaterThan(0);
  });

  it('xarb exchanges capabilities shows it', async () => {
    const result = await runCli(['exchanges', 'capabilities', 'bitso', '--json'], {home: tempHome()});
    expect(result.code).toBe(0);
    const report = json(result);
    expect(report.exchanges).toHaveLength(1);
    expect(report.exchanges[0]).toMatchObject({id: 'bitso', clientIdRoundTrip: false});
    const unknown = await runCli(['exchanges', 'capabilities', 'nosuchexchange'], {home: tempHome()});
    expect(unknown.code).toBe(2);
  });
});
