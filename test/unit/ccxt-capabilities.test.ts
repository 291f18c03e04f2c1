/**
 * The committed capability matrix (src/core/venues/ccxt/capabilities.json)
 * must be what the installed ccxt yields. Probing all ~100 classes takes
 * ~20 s, so this test probes the seven certified venues plus a fixed sample of
 * others; XARB_CAPABILITIES_FULL=1 probes every exchange (as
 * `npm run capabilities -- --check` does).
 */
import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {committedMatrix, matrixMarkdown, DOC_END, DOC_START} from '../../src/core/venues/ccxt/capabilities.js';
import {CERTIFIED_VENUES, dialectFor} from '../../src/core/venues/ccxt/dialects.js';
import {ccxtVersion} from '../../src/core/venues/ccxt/load.js';
import {declaredCapabilities, probeExchange, probeInstance, recordingTransport, RequestLimitReached} from '../../src/core/venues/ccxt/probe.js';
import {declaredDisagreements} from '../../src/core/venues/capabilities.js';
import {ccxtExchangeIds} from '../../src/core/venues/catalog.js';

const SAMPLE = ['bitso', 'bitfinex', 'coinbaseexchange', 'htx', 'kucoin', 'mexc', 'upbit'];
const full = process.env.XARB_CAPABILITIES_FULL === '1';
const matrix = committedMatrix();

describe('capability matrix', () => {
  it('was computed for the installed ccxt and lists every exchange it ships', () => {
    expect(matrix.ccxtVersion).toBe(ccxtVersion());
    expect(Object.keys(matrix.exchanges)).toEqual(ccxtExchangeIds());
    expect(Object.values(matrix.exchanges).filter((c) => c.certified).map((c) => c.id)).toEqual([...CERTIFIED_VENUES].sort());
  });

  it.each(full ? ccxtExchangeIds() : [...CERTIFIED_VENUES, ...SAMPLE])('%s: the committed entry is what ccxt yields now', async (id) => {
    expect(await probeExchange(id)).toEqual(matrix.exchanges[id]);
  }, 30_000);

  it('certified venues round-trip their client id in the dialect field, with a keyless quote call', () => {
    for (const id of CERTIFIED_VENUES) {
      const c = matrix.exchanges[id]!;
      expect(c, id).toMatchObject({clientIdSent: true, clientIdField: dialectFor(id).clientId.field, clientIdRoundTrip: true});
      expect(c.keylessQuote, id).toBe(dialectFor(id).quotes?.keyless ?? 'fetchBidsAsks');
      expect(c.marketBuyCost, id).toBe(dialectFor(id).marketBuy === 'cost');
    }
  });

  it('uncertified exchanges take their dialect from it', () => {
    expect(dialectFor('bitso').roundTrip).toBe(false);
    expect(dialectFor('bitso').clientIdLookup.kind).toBe('none');
    expect(dialectFor('htx').marketBuy).toBe(matrix.exchanges.htx!.marketBuyCost ? 'cost' : 'amount');
    expect(dialectFor('nosuchexchange').roundTrip).toBe(true); // unknown to the matrix: the generic dialect
  });

  it('docs/venues.md carries the summary generated from it', () => {
    const doc = readFileSync(new URL('../../docs/venues.md', import.meta.url), 'utf8');
    const section = doc.slice(doc.indexOf(DOC_START) + DOC_START.length, doc.indexOf(DOC_END)).trim();
    expect(section).toBe(matrixMarkdown(matrix));
  });
});

describe('the recording transport', () => {
  it('records the request ccxt builds and answers it without any network', async () => {
    const {exchange, transport} = await probeInstance('binance', {keys: false});
    await (exchange.fetchTicker as (s: string) => Promise<unknown>).call(exchange, 'BTC/USDT').catch(() => undefined);
    expect(transport.requests.map((r) => new URL(r.url).pathname)).toEqual(['/api/v3/ticker/24hr']);
    expect(() => (exchange.fetchImplementation as () => unknown)()).toThrow(/never sends/);
  });

  it('stops a call after its request limit', async () => {
    const t = recordingTransport(() => ({}), 2);
    await t.fetch('http://127.0.0.1/a');
    await t.fetch('http://127.0.0.1/b');
    await expect(t.fetch('http://127.0.0.1/c')).rejects.toBeInstanceOf(RequestLimitReached);
    expect(t.requests).toHaveLength(2);
  });
});

describe("what ccxt's class declares", () => {
  const probed = (has: Record<string, unknown>, createOrder?: Record<string, unknown>) =>
    ({has, ...(createOrder ? {features: {spot: {createOrder}}} : {})}) as unknown as Parameters<typeof declaredCapabilities>[0];

  it('is read from its has flags and spot createOrder features', () => {
    expect(declaredCapabilities(probed({createOrder: true, fetchOrderWithClientOrderId: true}, {marketBuyByCost: true, marketBuyRequiresPrice: false}))).toEqual({
      createOrder: true,
      fetchOrderByClientId: true,
      marketBuyByCost: true,
      marketBuyRequiresPrice: false,
    });
    expect(declaredCapabilities(probed({createOrder: 'emulated', createMarketBuyOrderWithCost: true}))).toEqual({createOrder: true, fetchOrderByClientId: false, marketBuyByCost: true, marketBuyRequiresPrice: false});
    expect(declaredCapabilities(probed({}))).toEqual({createOrder: false, fetchOrderByClientId: false, marketBuyByCost: false, marketBuyRequiresPrice: false});
  });

  it('is set on every committed entry, and disagreements with the probe are named', () => {
    for (const c of Object.values(matrix.exchanges)) expect(Object.keys(c.declared), c.id).toEqual(['createOrder', 'fetchOrderByClientId', 'marketBuyByCost', 'marketBuyRequiresPrice']);
    const base = matrix.exchanges.bitso!;
    expect(declaredDisagreements({...base, clientIdLookup: 'none', declared: {...base.declared, fetchOrderByClientId: true}})).toContain('ccxt declares fetchOrder by client id, but its fetchOrder request does not carry ours');
    expect(declaredDisagreements({...base, marketBuyCost: true, declared: {...base.declared, marketBuyRequiresPrice: false, marketBuyByCost: false}})).toHaveLength(2);
    expect(declaredDisagreements({...base, marketBuyCost: true, declared: {...base.declared, fetchOrderByClientId: false, marketBuyRequiresPrice: true, marketBuyByCost: true}})).toEqual([]);
  });
});
