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

// Three venues, one BTC book across them; ETH bought in USDT valued in USD.
const quotes = [q('alpha', 'BTC/USD', 84, 86), q('gamma', 'BNB/USD', 299, 301), q('beta', 'ETH/USDT', 10.5, 11.5), q('beta', 'USDT/USD', 0.98, 0.99)];
const pricer = createPricer(quotes, {now: NOW});
const fills: PnlFill[] = [
  fill(1, 'alpha', 'BTC/USD', 'buy', '1', '100', ['0.01', 'BTC']), // fee in base: keeps 0.99 at cost 99, fee 1 USD
  fill(2, 'gamma', 'BTC/USD', 'sell', '0.5', '120', ['0.02', 'BNB']), // +10 realized; fee 0.02 BNB x 300 = 6 USD
  fill(3, 'alpha', 'BTC/USD', 'sell', '1', '90', ['0.9', 'USD']), // closes 0.49: -4.9; 0.51 were held before the journal
  fill(4, 'beta', 'BTC/USD', 'buy', '0.21', '80', ['0.1', 'USD']), // a new long at 80, never "covering a short"
  fill(5, 'beta', 'ETH/USDT', 'buy', '2', '10', ['0.02', 'USDT']), // USDT at the current 0.985: 9.85 USD each
  fill(6, 'beta', 'ETH/USDT', 'sell', '1', '12', ['5', 'XYZ']), // 11.82 USD: +1.97 realized; fee in an asset with no price
];

describe('computePnl', () => {
  const report = computePnl(fills, {quote: 'USD', pricer});
  const btc = report.assets.find((s) => s.asset === 'BTC')!;
  const eth = report.assets.find((s) => s.asset === 'ETH')!;

  it('books realized PnL and fees in the valuation currency; selling beyond the journal is never a short', () => {
    expect(btc).toMatchObject({
      kind: 'spot',
      markets: ['BTC/USD'],
      fills: 4,
      bought: '1.21',
      sold: '1.5',
      volume: '266.8',
      position: '0.21',
      averageEntry: '80',
      realized: '5.1',
      fees: '8',
      feesConvertedAtCurrentPrice: true,
      markPrice: '85',
      unrealized: '1.05',
      net: '-1.85',
      basis: undefined,
      preJournal: {amount: '0.51', proceeds: '45.9', withBasis: false},
    });
  });

  it('converts fills in another quote at the rate used, says which, and lists unpriced fees', () => {
    expect(eth).toMatchObject({position: '1', averageEntry: '9.85', realized: '1.97', fees: '0.0197', markPrice: '10.835', unrealized: '0.985', net: '2.9353'});
    expect(eth.rates).toEqual([{currency: 'USDT', fills: 2, rate: '0.985', source: expect.stringContaining('current rate'), atCurrentRate: 2}]);
    expect(eth.unpricedFees).toEqual([{currency: 'XYZ', cost: '5'}]);
  });

  it('attributes realized PnL to the venue of the closing fill, in the valuation quote', () => {
    const by = Object.fromEntries(report.venues.map((v) => [v.venue, v]));
    expect(by.alpha).toMatchObject({fills: 2, volume: '190', realized: '-4.9', fees: '1.9', net: '-6.8'});
    expect(by.gamma).toMatchObject({fills: 1, volume: '60', realized: '10', fees: '6', net: '4'});
    expect(by.beta).toMatchObject({fills: 3, volume: '48.32', realized: '1.97', fees: '0.1197'});
  });

  it('totals in the valuation quote and says why they are partial', () => {
    expect(report.total).toMatchObject({realized: '7.07', fees: '8.0197', unrealized: '2.035', net: '1.0853', partial: true});
    const reasons = report.total.reasons.join(' ');
    expect(reasons).toContain('XYZ');
    expect(reasons).toContain('pnl basis BTC');
    expect(report.feesByCurrency).toEqual([
      {currency: 'BNB', cost: '0.02'},
      {currency: 'BTC', cost: '0.01'},
      {currency: 'USD', cost: '1'},
      {currency: 'USDT', cost: '0.02'},
      {currency: 'XYZ', cost: '5'},
    ]);
  });

  it('realizes holdings from before the journal against an explicit basis', () => {
    const bases = new Map([['BTC', {asset: 'BTC', price: '95', quote: 'USD', setAt: 0}]]);
    const r = computePnl(fills.slice(0, 4), {quote: 'USD', pricer, bases});
    expect(r.assets[0]).toMatchObject({realized: '2.55', position: '0.21', preJournal: {amount: '0.51', withBasis: true}, basis: {price: '95'}});
    expect(r.total.partial).toBe(false);
  });

  it('nets BTC/USDT and BTC/USD into one BTC position at the rate of each fill time', () => {
    const rateAt = (asset: string, quote: string, ts: number) => (asset === 'USDT' && quote === 'USD' && ts === 10 ? {price: 0.99, label: 'journalled kappa USDT/USD (mid)'} : undefined);
    const r = computePnl([fill(10, 'beta', 'BTC/USDT', 'buy', '1', '100', ['0.1', 'USDT']), fill(11, 'alpha', 'BTC/USD', 'sell', '1', '101', ['0.1', 'USD'])], {quote: 'USD', pricer, rateAt});
    expect(r.assets).toHaveLength(1);
    expect(r.assets[0]).toMatchObject({asset: 'BTC', markets: ['BTC/USD', 'BTC/USDT'], position: '0', realized: '2', fees: '0.199', preJournal: undefined});
    expect(r.assets[0]!.rates).toEqual([
      {currency: 'USD', fills: 1, rate: '1', source: 'same currency', atCurrentRate: 0},
      {currency: 'USDT', fills: 1, rate: '0.99', source: 'journalled kappa USDT/USD (mid)', atCurrentRate: 0},
    ]);
    expect(r.total).toMatchObject({realized: '2', partial: false});
  });

  it('counts only fills since the cut-off but keeps the earlier cost basis', () => {
    const r = computePnl(fills.slice(0, 4), {quote: 'USD', pricer, since: 3});
    expect(r.assets[0]).toMatchObject({fills: 2, realized: '-4.9', fees: '1', position: '0.21', averageEntry: '80', unrealized: '1.05'});
    expect(r.venues.map((v) => v.venue)).toEqual(['alpha', 'beta']);
  });

  it('keeps a derivative contract in its own book, which may be short', () => {
    const r = computePnl([fill(1, 'alpha', 'BTC/USD:USD', 'sell', '1', '90')], {quote: 'USD', pricer});
    expect(r.assets[0]).toMatchObject({asset: 'BTC/USD:USD', kind: 'derivative', position: '-1', unrealized: '5', preJournal: undefined});
  });

  it('reports a position it cannot mark as partial', () => {
    const r = computePnl([fill(1, 'alpha', 'SOL/USD', 'buy', '1', '10')], {quote: 'USD', pricer});
    expect(r.assets[0]!.unrealized).toBeUndefined();
    expect(r.total.partial).toBe(true);
  });
});
