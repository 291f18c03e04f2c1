import {describe, expect, it} from 'vitest';
import {evaluateCrossCandidates, screenCross, type VenueSnapshot} from '../../src/core/arb/cross.js';
import {currencyIndex, sameAsset} from '../../src/core/arb/identity.js';
import {transferCost} from '../../src/core/arb/transfer.js';
import {makeValuer} from '../../src/core/arb/valuation.js';
import type {Currency, Level, Market, OrderBook, Quote} from '../../src/core/types.js';

const NOW = 1_700_000_000_000;

function market(symbol: string, over: Partial<Market> = {}): Market {
  const [base, quote] = symbol.split('/') as [string, string];
  return {
    symbol, id: symbol.replace('/', ''), base, quote, baseId: base, quoteId: quote, type: 'spot', active: true,
    taker: 0.001, maker: 0, amountStep: 0.0001, priceStep: 0.01, minAmount: undefined, maxAmount: undefined, minCost: undefined,
    ...over,
  };
}

function q(venue: string, symbol: string, bid: number, ask: number, ts = NOW): Quote {
  return {venue, symbol, bid, bidSize: 1, ask, askSize: 1, timestamp: ts, receivedAt: ts};
}

function snap(venue: string, markets: Market[], quotes: Quote[], currencies?: Currency[]): VenueSnapshot {
  return {venue, markets, quotes, currencies: currencies ? currencyIndex(currencies) : undefined};
}

function currency(code: string, name: string | undefined, id = code, networks: Currency['networks'] = []): Currency {
  return {code, id, name, networks};
}

const screenOpts = {now: NOW, maxAgeMs: 10_000, minBps: 0, maxCandidates: 50, pairsPerSymbol: 3};

describe('screenCross', () => {
  it('finds the pair whose top-of-book edge survives both taker fees', () => {
    // buy A at 100 (x1.001 = 100.1), sell B at 101 (x0.999 = 100.899): +79.9 bps
    const s = screenCross([snap('a', [market('BTC/USD')], [q('a', 'BTC/USD', 99.9, 100)]), snap('b', [market('BTC/USD')], [q('b', 'BTC/USD', 101, 101.1)])], screenOpts);
    expect(s.symbolsScreened).toBe(1);
    expect(s.candidates).toHaveLength(1);
    expect(s.candidates[0]!.buy.venue).toBe('a');
    expect(s.candidates[0]!.sell.venue).toBe('b');
    expect(s.candidates[0]!.topNetBps).toBeCloseTo(79.9, 8);
  });

  it('drops a crossed spread that fees eat, and respects --min-bps', () => {
    const thin = screenCross([snap('a', [market('BTC/USD')], [q('a', 'BTC/USD', 99.9, 100)]), snap('b', [market('BTC/USD')], [q('b', 'BTC/USD', 100.15, 100.3)])], screenOpts);
    expect(thin.candidates).toHaveLength(0);
    const wide = [snap('a', [market('BTC/USD')], [q('a', 'BTC/USD', 99.9, 100)]), snap('b', [market('BTC/USD')], [q('b', 'BTC/USD', 101, 101.1)])];
    expect(screenCross(wide, {...screenOpts, minBps: 80}).candidates).toHaveLength(0);
    expect(screenCross(wide, {...screenOpts, minBps: 79}).candidates).toHaveLength(1);
  });

  it('applies the fee tier from config over the market metadata', () => {
    const venues = [snap('a', [market('BTC/USD')], [q('a', 'BTC/USD', 99.9, 100)]), snap('b', [market('BTC/USD')], [q('b', 'BTC/USD', 100.3, 100.4)])];
    expect(screenCross(venues, screenOpts).candidates).toHaveLength(1); // 100.3*0.999 - 100.1 > 0
    const s = screenCross(venues, {...screenOpts, fees: {a: {taker: 0.003}}});
    expect(s.candidates).toHaveLength(0); // 100.3*0.999 - 100.3 < 0
  });

  it('excludes and counts stale quotes: a stale quote makes no opportunity', () => {
    const s = screenCross([snap('a', [market('BTC/USD')], [q('a', 'BTC/USD', 99.9, 100, NOW - 30_000)]), snap('b', [market('BTC/USD')], [q('b', 'BTC/USD', 101, 101.1)])], screenOpts);
    expect(s.candidates).toHaveLength(0);
    expect(s.stale).toEqual([{venue: 'a', symbol: 'BTC/USD', ageMs: 30_000}]);
  });

  it('phantom arbitrage: the same ticker for two different coins is skipped with a reason', () => {
    const a = snap('a', [market('GTC/USD')], [q('a', 'GTC/USD', 0.9, 1)], [currency('GTC', 'Gitcoin'), currency('USD', 'US Dollar')]);
    const b = snap('b', [market('GTC/USD')], [q('b', 'GTC/USD', 2, 2.1)], [currency('GTC', 'Game.com'), currency('USD', 'US Dollar')]);
    const s = screenCross([a, b], screenOpts);
    expect(s.candidates).toHaveLength(0);
    expect(s.skipped).toHaveLength(1);
    expect(s.skipped[0]!.reason).toBe('asset-mismatch');
    expect(s.skipped[0]!.venues).toEqual(['a', 'b']);
  });

  it('phantom arbitrage: without names, different venue ids are not the same asset', () => {
    const a = snap('a', [market('ABC/USD', {baseId: 'ABC'})], [q('a', 'ABC/USD', 0.9, 1)]);
    const b = snap('b', [market('ABC/USD', {baseId: 'ABCOLD'})], [q('b', 'ABC/USD', 2, 2.1)]);
    const s = screenCross([a, b], screenOpts);
    expect(s.candidates).toHaveLength(0);
    expect(s.skipped[0]!.reason).toBe('asset-mismatch');
  });

  it('treats known aliases (XXBT, XBT) as the same asset', () => {
    const a = snap('a', [market('BTC/USD', {baseId: 'XXBT', quoteId: 'ZUSD'})], [q('a', 'BTC/USD', 99.9, 100)]);
    const b = snap('b', [market('BTC/USD', {baseId: 'btc', quoteId: 'usd'})], [q('b', 'BTC/USD', 101, 101.1)]);
    expect(screenCross([a, b], screenOpts).candidates).toHaveLength(1);
  });

  it('keeps USD, USDT and USDC apart unless a quote group joins them, and labels grouped rows', () => {
    const a = snap('a', [market('BTC/USD')], [q('a', 'BTC/USD', 99.9, 100)]);
    const b = snap('b', [market('BTC/USDT')], [q('b', 'BTC/USDT', 101, 101.1)]);
    const plain = screenCross([a, b], screenOpts);
    expect(plain.symbolsScreened).toBe(0);
    expect(plain.candidates).toHaveLength(0);
    const grouped = screenCross([a, b], {...screenOpts, quoteGroup: 'usd'});
    expect(grouped.candidates).toHaveLength(1);
    expect(grouped.candidates[0]!.key).toBe('BTC/{usd}');
    const book = (venue: string, symbol: string, bids: Level[], asks: Level[]): OrderBook => ({venue, symbol, bids, asks, timestamp: NOW, receivedAt: NOW});
    const books = new Map([
      ['a\u0000BTC/USD', book('a', 'BTC/USD', [[99.9, 1]], [[100, 1]])],
      ['b\u0000BTC/USDT', book('b', 'BTC/USDT', [[101, 1]], [[101.1, 1]])],
    ]);
    const ev = evaluateCrossCandidates(grouped.candidates, books, new Map(), new Map([['a', a], ['b', b]]), {
      now: NOW, maxAgeMs: 10_000, minBps: 0, minProfit: 0, valuer: () => undefined, withTransfer: false,
    });
    expect(ev.opportunities).toHaveLength(1);
    const o = ev.opportunities[0]!;
    expect(o.kind === 'cross' && o.quoteGroup).toBe('usd');
    expect(o.kind === 'cross' && [o.buy.symbol, o.sell.symbol]).toEqual(['BTC/USD', 'BTC/USDT']);
  });

  it('passes at most --max-candidates symbols to the depth stage, best first', () => {
    const symbols = ['AAA/USD', 'BBB/USD', 'CCC/USD'];
    const edges = [1.01, 1.03, 1.02];
    const a = snap('a', symbols.map((s) => market(s)), symbols.map((s) => q('a', s, 0.99, 1)));
    const b = snap('b', symbols.map((s) => market(s)), symbols.map((s, i) => q('b', s, edges[i]!, edges[i]! + 0.01)));
    const s = screenCross([a, b], {...screenOpts, maxCandidates: 2});
    expect(s.candidates.map((c) => c.key)).toEqual(['BBB/USD', 'CCC/USD']);
    expect(s.truncated).toBe(1);
  });
});

describe('evaluateCrossCandidates', () => {
  const markets = [market('BTC/USD', {minAmount: 0.001})];
  const a = snap('a', markets, [q('a', 'BTC/USD', 99.9, 100)], [currency('BTC', 'Bitcoin', 'BTC', [{network: 'BTC', withdrawEnabled: true, depositEnabled: true, withdrawFee: 0.0005, withdrawMin: 0.001}])]);
  const b = snap('b', markets, [q('b', 'BTC/USD', 101, 101.1)], [currency('BTC', 'Bitcoin', 'BTC', [{network: 'BTC', withdrawEnabled: true, depositEnabled: true, withdrawFee: 0.0001, withdrawMin: 0.001}])]);
  const candidates = screenCross([a, b], screenOpts).candidates;
  const book = (venue: string, bids: Level[], asks: Level[], ts = NOW): OrderBook => ({venue, symbol: 'BTC/USD', bids, asks, timestamp: ts, receivedAt: ts});
  const books = (ts = NOW) =>
    new Map([
      ['a\u0000BTC/USD', book('a', [[99.9, 1]], [[100, 0.5], [100.5, 1]], ts)],
      ['b\u0000BTC/USD', book('b', [[101, 0.2], [100.7, 2]], [[101.1, 1]], ts)],
    ]);
  const opts = {now: NOW, maxAgeMs: 10_000, minBps: 0, minProfit: 0, valuer: makeValuer([q('a', 'BTC/USD', 99.9, 100)], 'USD'), withTransfer: false};

  it('walks the books, deducts fees and prices the transfer separately', () => {
    // 100 vs 101 (0.2), 100 vs 100.7 (0.3, edge 100.7*.999-100.1 = 0.4993), then 100.5 vs 100.7: 100.5993 - 100.6005 < 0
    const ev = evaluateCrossCandidates(candidates, books(), new Map(), new Map([['a', a], ['b', b]]), opts);
    expect(ev.opportunities).toHaveLength(1);
    const o = ev.opportunities[0]!;
    if (o.kind !== 'cross') throw new Error('cross expected');
    expect(o.amount).toBe('0.5');
    expect(o.buy.notional).toBeCloseTo(50, 9);
    expect(o.sell.notional).toBeCloseTo(0.2 * 101 + 0.3 * 100.7, 9); // 50.41
    expect(o.grossProfit).toBeCloseTo(0.41, 9);
    expect(o.fees).toBeCloseTo(0.05 + 0.05041, 9);
    expect(o.netProfit).toBeCloseTo(0.41 - 0.10041, 9);
    expect(o.netBps).toBeCloseTo(((0.41 - 0.10041) / 50) * 10_000, 6);
    expect(o.sell.limitPrice).toBe(100.7);
    // withdraw BTC from the buy venue a: 0.0005 BTC at the average sell price 100.82
    expect(o.transfer?.fee).toBe(0.0005);
    expect(o.transfer?.cost).toBeCloseTo(0.0005 * (50.41 / 0.5), 9);
    expect(o.netProfitWithTransfer).toBeCloseTo(0.41 - 0.10041 - 0.0005 * 100.82, 9);
    expect(o.netValue).toBeCloseTo(o.netProfit, 12);
  });

  it('skips books older than max age', () => {
    const ev = evaluateCrossCandidates(candidates, books(NOW - 20_000), new Map(), new Map([['a', a], ['b', b]]), opts);
    expect(ev.opportunities).toHaveLength(0);
    expect(ev.skipped[0]!.reason).toBe('book-stale');
  });

  it('caps by balances when known and filters by --min-profit', () => {
    const funded = {...a, balances: new Map([['USD', 20.02]])};
    const ev = evaluateCrossCandidates(candidates, books(), new Map(), new Map([['a', funded], ['b', {...b, balances: new Map([['BTC', 5]])}]]), opts);
    const o = ev.opportunities[0]!;
    expect(o.kind === 'cross' && o.amount).toBe('0.2');
    expect(o.limitedBy).toBe('balance-buy');
    const none = evaluateCrossCandidates(candidates, books(), new Map(), new Map([['a', a], ['b', {...b, balances: new Map()}]]), opts);
    expect(none.opportunities).toHaveLength(0);
    expect(none.skipped[0]!.reason).toBe('no-balance');
    const high = evaluateCrossCandidates(candidates, books(), new Map(), new Map([['a', a], ['b', b]]), {...opts, minProfit: 1});
    expect(high.opportunities).toHaveLength(0);
    expect(high.belowThreshold).toBe(1);
  });
});

describe('asset identity and transfer cost', () => {
  it('compares names loosely and ids through aliases', () => {
    const f = (venue: string, id: string, name?: string) => ({venue, code: 'USDT', id, name});
    expect(sameAsset(f('a', 'USDT', 'Tether USD'), f('b', 'USDT', 'Tether')).same).toBe(true);
    expect(sameAsset(f('a', 'USDT', 'USDT'), f('b', 'USDT2', undefined)).same).toBe(false);
    expect(sameAsset({venue: 'a', code: 'BTC', id: 'XXBT', name: undefined}, {venue: 'b', code: 'BTC', id: 'XBT', name: 'BTC'}).same).toBe(true);
    // kraken names BTC by its alias: not a name to compare
    expect(sameAsset({venue: 'a', code: 'BTC', id: 'BTC', name: 'Bitcoin'}, {venue: 'k', code: 'BTC', id: 'XXBT', name: 'XBT'}).same).toBe(true);
  });

  it('picks the cheapest network both venues support', () => {
    const buy = currencyIndex([currency('USDT', 'Tether', 'USDT', [
      {network: 'ERC20', withdrawEnabled: true, depositEnabled: true, withdrawFee: 5, withdrawMin: 10},
      {network: 'TRC20', withdrawEnabled: true, depositEnabled: true, withdrawFee: 1, withdrawMin: 10},
      {network: 'SOL', withdrawEnabled: false, depositEnabled: true, withdrawFee: 0.5, withdrawMin: 10},
    ])]);
    const sellErcOnly = currencyIndex([currency('USDT', 'Tether', 'USDT', [{network: 'erc20', withdrawEnabled: true, depositEnabled: true, withdrawFee: 3, withdrawMin: 1}])]);
    expect(transferCost('USDT', buy, sellErcOnly, 1)?.network).toBe('ERC20');
    expect(transferCost('USDT', buy, undefined, 1)).toEqual({asset: 'USDT', network: 'TRC20', fee: 1, cost: 1});
    expect(transferCost('BTC', buy, undefined, 1)).toBeUndefined();
  });
});
