import {describe, expect, it} from 'vitest';
import {UsageError} from '../../src/core/errors.js';
import {canonicalAsset, findMarket, matchMarkets, normalizeSymbol, parseSymbol} from '../../src/core/symbols/index.js';
import type {Market} from '../../src/core/types.js';

function market(symbol: string, id: string, extra: Partial<Market> = {}): Market {
  const [base, quote] = symbol.split('/') as [string, string];
  return {symbol, id, base, quote, baseId: base, quoteId: quote, type: 'spot', active: true, taker: 0.001, maker: 0.001, amountStep: 0.0001, priceStep: 0.01, minAmount: undefined, maxAmount: undefined, minCost: undefined, ...extra};
}

describe('parseSymbol', () => {
  it.each([
    ['BTC/USD', 'BTC/USD'],
    ['btc/usd', 'BTC/USD'],
    ['BTC-USD', 'BTC/USD'],
    ['BTC_USD', 'BTC/USD'],
    ['btcusdt', 'BTC/USDT'],
    ['BTCUSDC', 'BTC/USDC'],
    ['XBT/USD', 'BTC/USD'],
    ['xbtusd', 'BTC/USD'],
    ['ETHBTC', 'ETH/BTC'],
    ['eth-btc', 'ETH/BTC'],
    ['BTC/USDT:USDT', 'BTC/USDT:USDT'],
    [' sol/usd ', 'SOL/USD'],
    ['1000PEPE/USDT', '1000PEPE/USDT'],
  ])('%s -> %s', (input, expected) => {
    expect(normalizeSymbol(input)).toBe(expected);
  });

  it.each(['BTC-', '-USD', '/', '', 'BTC', 'BTC/BTC', 'BTC//USD', 'BTC/US$', 'btc usd usd', 'USDT'])('rejects %j as a usage error', (input) => {
    expect(() => parseSymbol(input)).toThrow(UsageError);
  });

  it('aliases assets', () => {
    expect(canonicalAsset('xbt')).toBe('BTC');
    expect(canonicalAsset('XXBT')).toBe('BTC');
    expect(canonicalAsset('ZUSD')).toBe('USD');
    expect(canonicalAsset('eth')).toBe('ETH');
  });

  it('round-trips every dialect of many pairs to one canonical symbol (property)', () => {
    const bases = ['BTC', 'ETH', 'SOL', 'XRP', 'DOGE', 'LINK', 'ADA', 'AVAX', 'DOT', 'LTC'];
    const quotes = ['USD', 'USDT', 'USDC', 'EUR', 'BTC'];
    let checked = 0;
    for (const base of bases) {
      for (const quote of quotes) {
        if (base === quote) continue;
        const canonical = `${base}/${quote}`;
        const dialects = [canonical, `${base}-${quote}`, `${base}_${quote}`, `${base}${quote}`.toLowerCase(), canonical.toLowerCase()];
        if (base === 'BTC') dialects.push(`XBT/${quote}`, `XBT${quote}`);
        for (const d of dialects) {
          expect(normalizeSymbol(d), d).toBe(canonical);
          // canonical form is a fixed point
          expect(normalizeSymbol(normalizeSymbol(d))).toBe(canonical);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(200);
  });
});

describe('matchMarkets and quote groups', () => {
  const markets = [market('BTC/USDT', 'btcusdt'), market('ETH/USD', 'ETH-USD'), market('BTC/USDC', 'btcusdc')];

  it('matches only the exact symbol without a quote group', () => {
    expect(matchMarkets(markets, parseSymbol('BTC/USD'))).toEqual([]);
    expect(matchMarkets(markets, parseSymbol('ETH/USD')).map((m) => m.id)).toEqual(['ETH-USD']);
  });

  it('substitutes another quote of the group when opted in, preferring the group order', () => {
    expect(matchMarkets(markets, parseSymbol('BTC/USD'), 'usd').map((m) => m.symbol)).toEqual(['BTC/USDT']);
  });

  it('does not substitute across groups', () => {
    expect(matchMarkets(markets, parseSymbol('BTC/EUR'), 'usd')).toEqual([]);
  });

  it('finds markets by native id or any user form', () => {
    const kraken = [market('BTC/USD', 'XXBTZUSD', {baseId: 'XXBT', quoteId: 'ZUSD'})];
    expect(findMarket(kraken, 'XXBTZUSD')?.symbol).toBe('BTC/USD');
    expect(findMarket(kraken, 'xbt/usd')?.symbol).toBe('BTC/USD');
    expect(findMarket(kraken, 'BTC-EUR')).toBeUndefined();
  });
});
