import {describe, expect, it} from 'vitest';
import {decodeBook, encodeBook} from '../../src/core/bus/codec.js';
import {collectPlan} from '../../src/core/bus/collector.js';
import {backoffMs, checkSequence, SequenceTracker} from '../../src/core/bus/gaps.js';
import {bookKey, bookSubject, decodeToken, DEFAULT_BUS_NAMES, encodeToken, parseBookKey, parseBusUrl, type BusBook} from '../../src/core/bus/port.js';
import {collectorState} from '../../src/core/bus/status.js';
import type {Market} from '../../src/core/types.js';

function market(symbol: string, active = true): Market {
  const [base, quote] = symbol.split('/') as [string, string];
  return {symbol, id: symbol, base, quote, baseId: base, quoteId: quote, type: 'spot', active, taker: 0.001, maker: 0, amountStep: 0.001, priceStep: 0.01, minAmount: undefined, maxAmount: undefined, minCost: undefined};
}

describe('subject and key tokens', () => {
  const samples = ['BTC/USD', 'BTC/USDT:USDT', 'a.b*c>d e', 'sim-alpha', 'under_score', '1000SHIB/USDT', 'ÄÖ/€', '🚀/USD'];

  it('are reversible and never contain subject metacharacters', () => {
    for (const s of samples) {
      const t = encodeToken(s);
      expect(t).toMatch(/^[A-Za-z0-9_-]+$/);
      expect(decodeToken(t)).toBe(s);
    }
  });

  it('keep distinct symbols distinct', () => {
    const tokens = new Set(['BTC/USD', 'BTC_USD', 'BTC_2FUSD', 'BTC-USD', 'BTCUSD'].map(encodeToken));
    expect(tokens.size).toBe(5);
  });

  it('build one subject per venue and symbol, with four tokens', () => {
    const subject = bookSubject(DEFAULT_BUS_NAMES, 'binance', 'BTC/USDT:USDT');
    expect(subject.split('.')).toEqual(['xarb', 'book', 'binance', encodeToken('BTC/USDT:USDT')]);
    expect(parseBookKey(bookKey('kraken', 'ETH/BTC'))).toEqual({venue: 'kraken', symbol: 'ETH/BTC'});
    expect(() => encodeToken('')).toThrow(RangeError);
  });
});

describe('source URLs', () => {
  it('carry the servers and, in the query, the stream and bucket names', () => {
    expect(parseBusUrl('nats://127.0.0.1:4222')).toEqual({servers: ['nats://127.0.0.1:4222'], names: DEFAULT_BUS_NAMES});
    const p = parseBusUrl('nats://a:4222,nats://b:4222?stream=S1&prefix=p1&books=b1&meta=m1');
    expect(p.servers).toEqual(['nats://a:4222', 'nats://b:4222']);
    expect(p.names).toEqual({stream: 'S1', subjectPrefix: 'p1', booksBucket: 'b1', metaBucket: 'm1'});
  });

  it('refuse unknown parameters and names that are not one token', () => {
    expect(() => parseBusUrl('nats://a:4222?bucket=x')).toThrow(/unknown source parameter/);
    expect(() => parseBusUrl('nats://a:4222?stream=a.b')).toThrow(/stream/);
  });
});

describe('gap detection', () => {
  it('classifies each sequence against the previous one', () => {
    expect(checkSequence(undefined, 7)).toEqual({verdict: 'first', missed: 0});
    expect(checkSequence(7, 8)).toEqual({verdict: 'next', missed: 0});
    expect(checkSequence(8, 12)).toEqual({verdict: 'gap', missed: 3});
    expect(checkSequence(12, 1)).toEqual({verdict: 'restart', missed: 0});
    expect(checkSequence(12, 12)).toEqual({verdict: 'old', missed: 0});
    expect(checkSequence(12, 5)).toEqual({verdict: 'old', missed: 0});
  });

  it('tracks keys separately and counts gaps and missed updates', () => {
    const t = new SequenceTracker();
    for (const s of [1, 2, 3, 6, 7, 5, 9]) t.observe('a', s);
    for (const s of [1, 2, 3]) t.observe('b', s);
    expect(t.gaps).toBe(2);
    expect(t.missed).toBe(3);
    // an old message does not move the last sequence back
    expect(t.observe('a', 10).verdict).toBe('next');
  });

  it('backs off exponentially with jitter, capped', () => {
    expect(backoffMs(0, {random: () => 1})).toBe(500);
    expect(backoffMs(3, {random: () => 1})).toBe(4000);
    expect(backoffMs(50, {random: () => 1})).toBe(30_000);
    expect(backoffMs(50, {random: () => 0})).toBe(250);
  });
});

describe('collect plan', () => {
  const markets = new Map<string, Market[]>([
    ['a', [market('BTC/USD'), market('ETH/USD'), market('SOL/USD')]],
    ['b', [market('BTC/USD'), market('ETH/USD', false), market('XRP/USD')]],
  ]);

  it('defaults to active symbols listed on two or more venues', () => {
    expect(collectPlan(markets)).toEqual(new Map([['a', ['BTC/USD']], ['b', ['BTC/USD']]]));
  });

  it('takes given symbols wherever they are listed, and everything of a single venue', () => {
    expect(collectPlan(markets, ['SOL/USD', 'XRP/USD'])).toEqual(new Map([['a', ['SOL/USD']], ['b', ['XRP/USD']]]));
    expect(collectPlan(new Map([['a', markets.get('a')!]]))!.get('a')).toEqual(['BTC/USD', 'ETH/USD', 'SOL/USD']);
  });
});

describe('collector state', () => {
  const base = {collector: 'c', startedAt: 0, at: 100_000, intervalMs: 10_000, venues: [], symbols: [], published: 0, rate: 0, lagMs: {median: 0, max: 0}, gaps: 0, resyncs: 0, venueErrors: 0, busErrors: 0, perVenue: []};
  it('is silent after three missed intervals and stopped when it said so', () => {
    expect(collectorState(base, 120_000, 10_000)).toBe('running');
    expect(collectorState(base, 131_000, 10_000)).toBe('silent');
    expect(collectorState({...base, stopped: true}, 100_000, 10_000)).toBe('stopped');
  });
});

describe('book messages', () => {
  const book: BusBook = {
    venue: 'sim.alpha',
    symbol: 'BTC/USDT:USDT',
    bids: [[64_123.45678901234, 0.000123], [0.1 + 0.2, 1e-12], [Number.MAX_VALUE, Number.MIN_VALUE]],
    asks: [[64_200, 3.5]],
    timestamp: 1_700_000_000_123,
    receivedAt: 1_700_000_000_150,
    sequence: 42,
    venueSequence: 9_007_199_254_740_991,
    resync: true,
  };

  it('round-trip exactly, levels bit for bit and every other field', () => {
    const data = encodeBook(book);
    expect(data[0]).toBe(1);
    expect(decodeBook(data)).toEqual(book);
    const {resync: _r, venueSequence: _v, ...plain} = book;
    const empty: BusBook = {...plain, bids: [], asks: []};
    expect(decodeBook(encodeBook(empty))).toEqual(empty);
  });

  it('carry as header exactly the JSON text of the book without its levels', () => {
    const odd = {...book, venue: 'sîm "β"\n', extra: {nested: [1, 'x', null]}, gone: undefined, nan: Number.NaN, big: 1e21, small: -0.000001} as unknown as BusBook;
    for (const b of [book, odd, {...book, bids: [], asks: []}]) {
      const data = encodeBook(b);
      const length = new DataView(data.buffer, data.byteOffset).getUint32(1, true);
      const {bids: _b, asks: _a, ...rest} = b;
      expect(new TextDecoder().decode(data.subarray(5, 5 + length))).toBe(JSON.stringify(rest));
    }
  });

  it('are smaller than the JSON text of the same book', () => {
    const levels = Array.from({length: 20}, (_, i) => [64_000.123456789 - i * 0.5, 0.37 * (i + 1)] as const);
    const deep: BusBook = {...book, bids: levels, asks: levels};
    expect(encodeBook(deep).length).toBeLessThan(new TextEncoder().encode(JSON.stringify(deep)).length);
  });

  it('decode the JSON form published by earlier collectors', () => {
    expect(decodeBook(new TextEncoder().encode(JSON.stringify(book)))).toEqual(book);
  });

  it('refuse a truncated or foreign message', () => {
    const data = encodeBook(book);
    expect(() => decodeBook(data.subarray(0, data.length - 1))).toThrow(RangeError);
    expect(() => decodeBook(new Uint8Array([7, 0, 0]))).toThrow(RangeError);
    expect(() => decodeBook(new Uint8Array())).toThrow(RangeError);
  });

  it('decode from a view into a larger buffer (as the client hands them over)', () => {
    const data = encodeBook(book);
    const big = new Uint8Array(data.length + 3);
    big.set(data, 3);
    expect(decodeBook(big.subarray(3))).toEqual(book);
  });
});
