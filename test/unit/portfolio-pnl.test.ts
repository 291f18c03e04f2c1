import {describe, expect, it} from 'vitest';
import {applyTrade, computePnl, type PnlFill} from '../../src/core/portfolio/pnl.js';
import {createPricer} from '../../src/core/portfolio/pricing.js';
import type {Quote} from '../../src/core/types.js';

const NOW = 1_700_000_000_000;
function q(venue: string, symbol: string, bid: number, ask: number): Quote {
  return {venue, symbol, bid, ask, bidSize: 1, askSize: 1, timestamp: NOW, receivedAt: NOW};
}
function fill(ts: number, venue: string, symbol: string, side: 'buy' | 'sell', amount: string, price: string, fee?: [string, string]): PnlFill {
  return {ts, venue, tradeId: `t${ts}`, symbol, side, amount, price, fee: fee ? {cost: fee[0], currency: fee[1]} : undefined};
}

describe('applyTrade (average cost)', () => {
  it('averages entries, realizes on partial closes, flips through zero', () => {
    const book = {qty: '0', cost: '0'};
    expect(applyTrade(book, 'buy', '1', '100')).toBe('0');
    expect(applyTrade(book, 'buy', '1', '200')).toBe('0');
    expect(book).toEqual({qty: '2', cost: '300'}); // average 150
    expect(applyTrade(book, 'sell', '0.5', '170')).toBe('10'); // 0.5 x (170 - 150)
    expect(book).toEqual({qty: '1.5', cost: '225'});
    expect(applyTrade(book, 'sell', '2', '140')).toBe('-15'); // 1.5 x (140 - 150), then short 0.5 at 140
    expect(book).toEqual({qty: '-0.5', cost: '70'});
    expect(applyTrade(book, 'buy', '0.5', '100')).toBe('20'); // short closed 40 cheaper than 140
    expect(book).toEqual({qty: '0', cost: '0'});
  });
});

// Three venues (dialects BTC-USD, btcusdt, XBT/USD natively), one pooled BTC/USD book.
const quotes = [q('alpha', 'BTC/USD', 84, 86), q('gamma', 'BNB/USD', 299, 301), q('beta', 'ETH/USDT', 10.5, 11.5), q('beta', 'USDT/USD', 0.98, 0.99)];
const pricer = createPricer(quotes, {now: NOW});
const fills: PnlFill[] = [
  fill(1, 'alpha', 'BTC/USD', 'buy', '1', '100', ['0.01', 'BTC']), // fee in base: keeps 0.99 at cost 99, fee 1 USD
  fill(2, 'gamma', 'BTC/USD', 'sell', '0.5', '120', ['0.02', 'BNB']), // +10 realized; fee 0.02 BNB x 300 = 6 USD
  fill(3, 'alpha', 'BTC/USD', 'sell', '1', '90', ['0.9', 'USD']), // closes 0.49: -4.9; opens short 0.51 at 90
  fill(4, 'beta', 'BTC/USD', 'buy', '0.21', '80', ['0.1', 'USD']), // covers 0.21 of the short: +2.1
  fill(5, 'beta', 'ETH/USDT', 'buy', '2', '10', ['0.02', 'USDT']),
  fill(6, 'beta', 'ETH/USDT', 'sell', '1', '12', ['5', 'XYZ']), // +2 realized; fee in an asset with no price
];

describe('computePnl', () => {
  const report = computePnl(fills, {quote: 'USD', pricer});
  const btc = report.symbols.find((s) => s.symbol === 'BTC/USD')!;
  const eth = report.symbols.find((s) => s.symbol === 'ETH/USDT')!;

  it('books realized PnL and fees on a sequence with partial closes and foreign-currency fees', () => {
    expect(btc).toMatchObject({
      quote: 'USD',
      fills: 4,
      bought: '1.21',
      sold: '1.5',
      volume: '266.8',
      position: '-0.3',
      averageEntry: '90',
      realized: '7.2',
      fees: '8',
      feesConvertedAtCurrentPrice: true,
      markPrice: 85,
      unrealized: '1.5', // short 0.3 entered at 90, marked at 85
      net: '0.7',
      netValue: '0.7',
    });
  });

  it('keeps a symbol in its own quote and lists unpriced fees', () => {
    expect(eth).toMatchObject({quote: 'USDT', position: '1', averageEntry: '10', realized: '2', fees: '0.02', unrealized: '1', net: '2.98', quoteRate: 0.985, netValue: '2.9353'});
    expect(eth.unpricedFees).toEqual([{currency: 'XYZ', cost: '5'}]);
  });

  it('attributes realized PnL to the venue of the closing fill, in the valuation quote', () => {
    const by = Object.fromEntries(report.venues.map((v) => [v.venue, v]));
    expect(by.alpha).toMatchObject({fills: 2, volume: '190', realized: '-4.9', fees: '1.9', net: '-6.8'});
    expect(by.gamma).toMatchObject({fills: 1, volume: '60', realized: '10', fees: '6', net: '4'});
    // beta: BTC/USD 16.8 + ETH/USDT (20 + 12) x 0.985
    expect(by.beta).toMatchObject({fills: 3, volume: '48.32', realized: '4.07', fees: '0.1197'});
  });

  it('totals in the valuation quote and says why they are partial', () => {
    expect(report.total).toMatchObject({realized: '9.17', fees: '8.0197', unrealized: '2.485', net: '3.6353', partial: true});
    expect(report.total.reasons.join(' ')).toContain('XYZ');
    expect(report.feesByCurrency).toEqual([
      {currency: 'BNB', cost: '0.02'},
      {currency: 'BTC', cost: '0.01'},
      {currency: 'USD', cost: '1'},
      {currency: 'USDT', cost: '0.02'},
      {currency: 'XYZ', cost: '5'},
    ]);
  });

  it('counts only fills since the cut-off but keeps the earlier cost basis', () => {
    const r = computePnl(fills.slice(0, 4), {quote: 'USD', pricer, since: 3});
    expect(r.symbols[0]).toMatchObject({fills: 2, realized: '-2.8', fees: '1', position: '-0.3', averageEntry: '90', unrealized: '1.5'});
    expect(r.venues.map((v) => v.venue)).toEqual(['alpha', 'beta']);
    expect(r.total.partial).toBe(false);
  });

  it('reports a position it cannot mark as partial', () => {
    const r = computePnl([fill(1, 'alpha', 'SOL/USD', 'buy', '1', '10')], {quote: 'USD', pricer});
    expect(r.symbols[0]!.unrealized).toBeUndefined();
    expect(r.total.partial).toBe(true);
  });
});
