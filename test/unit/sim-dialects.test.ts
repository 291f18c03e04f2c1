import {describe, expect, it} from 'vitest';
import {
  buildMarkets,
  createSimVenue,
  currencyCode,
  currencyId,
  demoProfile,
  FLAVORS,
  marketId,
  parseMarketId,
  SIM_DIALECTS,
} from '../../src/core/venues/sim/index.js';

const clock = {now: () => Date.UTC(2026, 0, 1)};

describe('sim dialects', () => {
  it('spell markets and currencies in each venue\'s own dialect', () => {
    expect(marketId('dash', 'BTC', 'USD')).toBe('BTC-USD');
    expect(marketId('lower', 'BTC', 'USDT')).toBe('btcusdt');
    expect(marketId('slash', 'ETH', 'BTC')).toBe('ETH/BTC');
    expect(marketId('kraken', 'BTC', 'USD')).toBe('XXBTZUSD');
    expect(marketId('kraken', 'ETH', 'BTC')).toBe('XETHXXBT');
    expect(marketId('kraken', 'SOL', 'USD')).toBe('SOLUSD');
    expect(marketId('kraken', 'BTC', 'USDT')).toBe('XBTUSDT');
    expect(marketId('kraken', 'DOGE', 'BTC')).toBe('XXDGXXBT');
    expect(currencyId('kraken', 'BTC')).toBe('XXBT');
    expect(currencyId('kraken', 'USD')).toBe('ZUSD');
    expect(currencyId('kraken', 'SOL')).toBe('SOL');
    expect(currencyId('lower', 'USDT')).toBe('usdt');
    expect(currencyCode('kraken', 'XBT')).toBe('BTC');
    expect(currencyCode('kraken', 'XDG')).toBe('DOGE');
  });

  it('round-trips every market and currency of every dialect and seed', () => {
    const problems: string[] = [];
    for (const dialect of SIM_DIALECTS) {
      for (const seed of [1, 2, 3, 101, 202, 303, 404, 99_999]) {
        const specs = buildMarkets(FLAVORS[dialect], seed);
        const codes = [...new Set(specs.flatMap((s) => [s.base, s.quote]))];
        for (const code of codes) if (currencyCode(dialect, currencyId(dialect, code)) !== code) problems.push(`${dialect} currency ${code}`);
        for (const {market} of specs) {
          const parsed = parseMarketId(dialect, market.id, codes);
          if (parsed === undefined || `${parsed.base}/${parsed.quote}` !== market.symbol) problems.push(`${dialect} ${market.id} -> ${JSON.stringify(parsed)}, want ${market.symbol}`);
          if (currencyCode(dialect, market.baseId) !== market.base) problems.push(`${dialect} baseId ${market.baseId}`);
          if (currencyCode(dialect, market.quoteId) !== market.quote) problems.push(`${dialect} quoteId ${market.quoteId}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('rejects ids of another dialect', () => {
    const codes = ['BTC', 'USD', 'USDT', 'ETH'];
    expect(parseMarketId('dash', 'BTC/USD', codes)).toBeUndefined();
    expect(parseMarketId('lower', 'BTCUSDT', codes)).toBeUndefined();
    expect(parseMarketId('kraken', 'XXBTUSD', codes)).toBeUndefined();
    expect(parseMarketId('slash', 'BTC-USD', codes)).toBeUndefined();
    expect(parseMarketId('dash', 'DOGE-USD', codes)).toBeUndefined();
  });

  it('maps native ids both ways on every demo venue', async () => {
    const dialects = new Set<string>();
    for (const [name, config] of Object.entries(demoProfile())) {
      const venue = createSimVenue(name, config, clock);
      dialects.add(venue.dialect);
      const markets = await venue.loadMarkets();
      for (const market of markets) {
        expect(venue.symbolOf(market.id)).toBe(market.symbol);
        expect(venue.nativeIdOf(market.symbol)).toBe(market.id);
      }
      expect(venue.symbolOf('NOT-A-MARKET')).toBeUndefined();
      const currencies = await venue.fetchCurrencies();
      for (const currency of currencies) expect(currencyCode(venue.dialect, currency.id)).toBe(currency.code);
    }
    expect(dialects.size).toBe(4);
  });
});

describe('sim catalog', () => {
  it('lists different markets per venue, majors against every quote, and triangles', async () => {
    const listings: Record<string, string[]> = {};
    for (const [name, config] of Object.entries(demoProfile())) {
      listings[name] = (await createSimVenue(name, config, clock).loadMarkets()).map((m) => m.symbol);
    }
    expect(listings.simex).not.toContain('BTC/USD');
    expect(listings.simex).toContain('BTC/USDT');
    expect(listings.simbit).toContain('BTC/USD');
    expect(listings.simbit).not.toContain('BTC/USDT');
    for (const symbols of Object.values(listings)) {
      for (const triangle of ['ETH/BTC', 'SOL/ETH', 'SOL/BTC']) expect(symbols).toContain(triangle);
    }
    expect(new Set(Object.values(listings).map((s) => s.join(','))).size).toBe(4);
  });

  it('has fees of 5-26 bps, power-of-ten steps and minimums on the step', () => {
    for (const dialect of SIM_DIALECTS) {
      for (const {market} of buildMarkets(FLAVORS[dialect], 42)) {
        expect(market.taker).toBeGreaterThanOrEqual(0.0005);
        expect(market.taker).toBeLessThanOrEqual(0.0026);
        expect(market.maker).toBeLessThanOrEqual(market.taker);
        for (const step of [market.amountStep!, market.priceStep!]) expect(Math.log10(step)).toBeCloseTo(Math.round(Math.log10(step)), 9);
        const ratio = market.minAmount! / market.amountStep!;
        expect(Math.abs(ratio - Math.round(ratio))).toBeLessThan(1e-6);
        expect(market.minCost).toBeGreaterThan(0);
      }
    }
  });

  it('drops some minor pairs depending on the seed', () => {
    const sizes = new Set([1, 2, 3, 4, 5, 6, 7, 8].map((seed) => buildMarkets(FLAVORS.dash, seed).length));
    expect(sizes.size).toBeGreaterThan(1);
  });
});
