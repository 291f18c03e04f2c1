import {describe, expect, it} from 'vitest';
import {createPricer} from '../../src/core/portfolio/pricing.js';
import type {Quote} from '../../src/core/types.js';

const NOW = 1_700_000_000_000;

function q(venue: string, symbol: string, bid: number | undefined, ask: number | undefined, receivedAt = NOW): Quote {
  return {venue, symbol, bid, ask, bidSize: 1, askSize: 1, timestamp: receivedAt, receivedAt};
}

// Three venues, each (natively) a different dialect: alpha BTC-USD, beta btcusdt, gamma XBT/USD.
// The core only sees canonical symbols.
const quotes: Quote[] = [
  q('alpha', 'BTC/USD', 100, 102), // mid 101
  q('gamma', 'BTC/USD', 104, 106), // mid 105
  q('beta', 'BTC/USDT', 99, 101), // mid 100
  q('beta', 'ETH/BTC', 0.049, 0.051), // mid 0.05
  q('gamma', 'ETH/USD', 5, 5.2), // mid 5.1
];

describe('createPricer', () => {
  it('prices the quote asset as 1 with no legs', () => {
    const p = createPricer(quotes, {now: NOW}).price('USD', 'USD');
    expect(p?.price).toBe(1);
    expect(p?.legs).toEqual([]);
  });

  it('takes the lower middle of direct quotes across venues and names the venue', () => {
    const p = createPricer(quotes, {now: NOW}).price('BTC', 'USD')!;
    // candidates 101 (alpha), 105 (gamma): lower middle = alpha
    expect(p.price).toBe(101);
    expect(p.legs).toHaveLength(1);
    expect(p.legs[0]).toMatchObject({venue: 'alpha', symbol: 'BTC/USD', side: 'mid'});
    expect(p.label).toBe('alpha BTC/USD (mid)');
    expect(p.candidates).toBe(2);
  });

  it('takes the median of three venues, ignoring the dislocated one', () => {
    const p = createPricer([...quotes, q('beta', 'BTC/USD', 102, 104)], {now: NOW}).price('BTC', 'USD')!;
    expect(p.price).toBe(103);
    expect(p.legs[0]!.venue).toBe('beta');
  });

  it('never treats USDT as USD: it prices it through a real bridge', () => {
    const p = createPricer(quotes, {now: NOW}).price('USDT', 'USD')!;
    // USDT -> BTC at 1/100 on beta, BTC -> USD at 101 on alpha
    expect(p.price).toBeCloseTo(1.01, 12);
    expect(p.legs.map((l) => `${l.venue} ${l.symbol} ${l.from}->${l.to}`)).toEqual(['beta BTC/USDT USDT->BTC', 'alpha BTC/USD BTC->USD']);
    expect(p.label).toBe('USDT->BTC->USD via beta BTC/USDT, alpha BTC/USD (mid)');
  });

  it('leaves USDT unpriced in USD when no market connects them', () => {
    const p = createPricer([q('alpha', 'BTC/USD', 100, 102), q('beta', 'ETH/USDT', 1, 2)], {now: NOW});
    expect(p.price('USDT', 'USD')).toBeUndefined();
    expect(p.price('ETH', 'USD')).toBeUndefined();
  });

  it('prefers a direct market to a bridge', () => {
    const p = createPricer(quotes, {now: NOW}).price('ETH', 'USD')!;
    expect(p.price).toBeCloseTo(5.1, 12);
    expect(p.legs).toHaveLength(1);
  });

  it('uses a bridge when there is no direct market, and respects maxLegs', () => {
    const withoutDirect = quotes.filter((x) => x.symbol !== 'ETH/USD');
    const p = createPricer(withoutDirect, {now: NOW}).price('ETH', 'USD')!;
    expect(p.price).toBeCloseTo(0.05 * 101, 12);
    expect(p.label).toBe('ETH->BTC->USD via beta ETH/BTC, alpha BTC/USD (mid)');
    expect(createPricer(withoutDirect, {now: NOW, maxLegs: 1}).price('ETH', 'USD')).toBeUndefined();
  });

  it('prices in any quote, inverting markets', () => {
    const p = createPricer(quotes, {now: NOW}).price('USDT', 'BTC')!;
    expect(p.price).toBeCloseTo(0.01, 12);
    expect(createPricer(quotes, {now: NOW}).price('BTC', 'USDT')!.price).toBe(100);
  });

  it('with method bid sells at the bid and buys at the ask', () => {
    const pricer = createPricer(quotes, {now: NOW, method: 'bid'});
    const btc = pricer.price('BTC', 'USD')!;
    expect(btc.price).toBe(100); // bids 100 alpha, 104 gamma -> lower middle
    expect(btc.legs[0]!.side).toBe('bid');
    const usdt = pricer.price('USDT', 'USD')!;
    // USDT -> BTC buys BTC at the ask 101, then sells BTC at the bid 100
    expect(usdt.price).toBeCloseTo(100 / 101, 12);
    expect(usdt.legs.map((l) => l.side)).toEqual(['ask', 'bid']);
  });

  it('ignores stale, crossed, one-sided and derivative quotes', () => {
    const pricer = createPricer(
      [
        q('alpha', 'BTC/USD', 100, 102, NOW - 10 * 60_000), // stale
        q('beta', 'BTC/USD', 110, 100), // crossed
        q('gamma', 'BTC/USD', 100, undefined), // one-sided under mid
        q('gamma', 'BTC/USD:USD', 100, 101), // a swap, not a conversion
      ],
      {now: NOW},
    );
    expect(pricer.price('BTC', 'USD')).toBeUndefined();
  });
});
