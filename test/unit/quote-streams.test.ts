/**
 * StreamingQuotes (core/market/streams.ts): polled where a venue cannot
 * stream; streamed quotes served while younger than half the max age, REST
 * otherwise; a failed stream reopened after a doubling backoff, the venue
 * polled meanwhile.
 */
import {describe, expect, it} from 'vitest';
import {StreamingQuotes} from '../../src/core/market/streams.js';
import type {Quote} from '../../src/core/types.js';
import type {Venue} from '../../src/core/venues/port.js';

const S = 'BTC/USDT';
const MAX_AGE = 10_000;

/** A manual clock. */
function manualClock(start = 1_700_000_000_000) {
  let now = start;
  return {now: () => now, advance: (ms: number) => (now += ms)};
}

type Step = 'fail' | readonly number[];

/**
 * A hand-written venue: fetchQuotes answers bid 100 (counted); each watchQuotes call takes the next
 * step of `script`: 'fail' rejects at once (the socket could not open), a list of bids yields one
 * quote per bid and then stays open until aborted.
 */
function fakeVenue(clock: {now(): number}, script: Step[], streams = true) {
  const calls = {rest: 0, watch: 0};
  const quote = (bid: number): Quote => ({venue: 'v', symbol: S, bid, bidSize: 1, ask: bid + 1, askSize: 1, timestamp: clock.now(), receivedAt: clock.now()});
  const release: (() => void)[] = [];
  const venue = {
    info: {
      id: 'v',
      exchange: 'fake',
      simulated: false,
      sandbox: false,
      mode: 'paper',
      hasKeys: false,
      rateLimitMs: 0,
      capabilities: {bidsAsks: true, orderBookStream: false, quoteStream: streams, positions: false, currencies: false, withdraw: false, depositAddress: false, transfers: false},
    },
    fetchQuotes: async (symbols?: readonly string[]) => {
      calls.rest++;
      return (symbols ?? []).map(() => quote(100));
    },
    watchQuotes: (_symbols: readonly string[], signal?: AbortSignal) => {
      calls.watch++;
      const step = script.shift() ?? 'fail';
      return (async function* () {
        if (step === 'fail') throw new Error('socket closed');
        for (const bid of step) {
          await new Promise<void>((resolve) => release.push(resolve));
          yield [quote(bid)];
        }
        await new Promise((resolve) => signal?.addEventListener('abort', resolve, {once: true}));
      })();
    },
  } as unknown as Venue;
  /** Lets the stream yield its next scripted quote. */
  const push = async () => {
    await settle();
    release.shift()?.();
    await settle();
  };
  return {venue, calls, push};
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('StreamingQuotes', () => {
  it('polls a venue that cannot stream quotes, once per call', async () => {
    const clock = manualClock();
    const {venue, calls} = fakeVenue(clock, [], false);
    const source = new StreamingQuotes({clock});
    await source.get(venue, [S], MAX_AGE);
    await source.get(venue, [S], MAX_AGE);
    expect(calls).toEqual({rest: 2, watch: 0});
    source.close();
  });

  it('serves streamed quotes without requests; tops a silent stream up by REST past half the max age', async () => {
    const clock = manualClock();
    const {venue, calls, push} = fakeVenue(clock, [[101, 102]]);
    const source = new StreamingQuotes({clock});
    // The first answer is REST (the stream has nothing yet).
    expect((await source.get(venue, [S], MAX_AGE))[0]!.bid).toBe(100);
    await push();
    clock.advance(1000);
    expect((await source.get(venue, [S], MAX_AGE))[0]!.bid).toBe(101);
    await push();
    expect((await source.get(venue, [S], MAX_AGE))[0]!.bid).toBe(102);
    expect(calls).toEqual({rest: 1, watch: 1});
    // Silent for more than half the max age: one REST request refreshes it.
    clock.advance(MAX_AGE / 2 + 1);
    const [quote] = await source.get(venue, [S], MAX_AGE);
    expect(quote!.bid).toBe(100);
    expect(clock.now() - quote!.receivedAt).toBeLessThanOrEqual(MAX_AGE / 2);
    expect(calls).toEqual({rest: 2, watch: 1});
    source.close();
  });

  it('reopens a failed stream after a doubling backoff, polling meanwhile, and resets it on an update', async () => {
    const clock = manualClock();
    const {venue, calls, push} = fakeVenue(clock, ['fail', 'fail', [105]]);
    const source = new StreamingQuotes({clock, backoffMs: 6000, maxBackoffMs: 30_000});
    await source.get(venue, [S], MAX_AGE);
    await settle();
    expect(source.status('v')).toMatchObject({streaming: false, failures: 1, lastError: 'socket closed'});
    // Within the backoff no stream is opened; the venue is polled once the quote is older than half the max age.
    clock.advance(MAX_AGE / 2 - 1);
    await source.get(venue, [S], MAX_AGE);
    expect(calls).toEqual({rest: 1, watch: 1});
    clock.advance(2);
    await source.get(venue, [S], MAX_AGE);
    expect(calls).toEqual({rest: 2, watch: 1});
    // 6 s after the failure: reopened; it fails again, and the next wait is twice as long (12 s).
    clock.advance(6000 - MAX_AGE / 2 - 1);
    await source.get(venue, [S], MAX_AGE);
    await settle();
    expect(calls.watch).toBe(2);
    expect(source.status('v')!.failures).toBe(2);
    clock.advance(11_999);
    await source.get(venue, [S], MAX_AGE);
    expect(calls.watch).toBe(2);
    clock.advance(1);
    await source.get(venue, [S], MAX_AGE);
    expect(calls.watch).toBe(3);
    // An update resets the failures and is served.
    await push();
    expect(source.status('v')).toMatchObject({streaming: true, failures: 0, updates: 1});
    expect((await source.get(venue, [S], MAX_AGE))[0]!.bid).toBe(105);
    source.close();
  });
});
