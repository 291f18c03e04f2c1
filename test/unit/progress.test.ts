import {describe, expect, it} from 'vitest';
import {reportingVenue, type VenuePhase} from '../../src/core/venues/progress.js';
import {venueProgressLine} from '../../src/ui/progress.js';
import {NotSupportedError, VenueUnavailableError} from '../../src/core/errors.js';
import {StaticVenue, fixedClock, market} from './execution-support.js';

function venue(id: string) {
  return new StaticVenue(id, [market('BTC/USD')], {'BTC/USD': {asks: [[100, 1]], bids: [[99, 1]]}}, fixedClock());
}

describe('venue progress', () => {
  it('reports asked once, then answered when no call is in flight; results pass through unchanged', async () => {
    const events: [string, VenuePhase][] = [];
    const inner = venue('a');
    const v = reportingVenue(inner, (id, phase) => events.push([id, phase]));
    expect(v.info).toBe(inner.info);
    const [markets, quotes] = await Promise.all([v.loadMarkets(), v.fetchQuotes(['BTC/USD'])]);
    expect(markets).toEqual(await inner.loadMarkets());
    expect(quotes).toEqual(await inner.fetchQuotes(['BTC/USD']));
    expect(events).toEqual([
      ['a', 'asked'],
      ['a', 'answered'],
    ]);
  });

  it('reports failed when a call fails, and the error still reaches the caller', async () => {
    const events: [string, VenuePhase][] = [];
    const inner = venue('b');
    inner.fetchQuotes = async () => {
      throw new VenueUnavailableError('b', 'no answer');
    };
    const v = reportingVenue(inner, (id, phase) => events.push([id, phase]));
    await expect(v.fetchQuotes(['BTC/USD'])).rejects.toBeInstanceOf(VenueUnavailableError);
    expect(events).toEqual([
      ['b', 'asked'],
      ['b', 'failed'],
    ]);
    // A capability the venue lacks is an answer, not a failure.
    const plain: [string, VenuePhase][] = [];
    const c = reportingVenue(venue('c'), (id, phase) => plain.push([id, phase]));
    await expect(c.fetchBalances()).rejects.toBeInstanceOf(NotSupportedError);
    expect(plain.at(-1)).toEqual(['c', 'answered']);
  });

  it('draws on a terminal only, and clears the line when stopped', () => {
    const written: string[] = [];
    const tty = {isTTY: true, write: (s: string) => written.push(s)} as unknown as NodeJS.WriteStream;
    const line = venueProgressLine('prices', tty);
    line.update('a', 'asked');
    line.update('b', 'asked');
    line.update('a', 'answered');
    line.update('b', 'failed');
    line.stop();
    expect(written.at(-2)).toContain('prices: 2 venues asked, 1 answered, 1 failed');
    expect(written.at(-1)).toBe('\r\u001b[2K');
    const piped: string[] = [];
    const pipe = {isTTY: false, write: (s: string) => piped.push(s)} as unknown as NodeJS.WriteStream;
    const quiet = venueProgressLine('prices', pipe);
    quiet.update('a', 'asked');
    quiet.stop();
    expect(piped).toEqual([]);
  });
});
