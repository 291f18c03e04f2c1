/**
 * Venues are listed by priority, then by name in the order localeCompare
 * gives (English and the root collation agree): Context compares names of
 * the characters config allows without building a collator.
 */
import {describe, expect, it} from 'vitest';
import {compareVenueNames} from '../../src/core/context.js';

const CHARS = '_-0123456789abcdefghijklmnopqrstuvwxyz';

/** Deterministic pseudo-random names, punctuation and digits over-represented. */
function names(count: number): string[] {
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  return Array.from({length: count}, () => {
    let name = '';
    const length = 1 + Math.floor(next() * 6);
    for (let i = 0; i < length; i++) name += CHARS[Math.floor(next() * (next() < 0.5 ? 12 : CHARS.length))];
    return name;
  });
}

describe('compareVenueNames', () => {
  it.each(['en', 'und'])('orders config names as the %s collation does', (locale) => {
    const collator = new Intl.Collator(locale);
    const list = names(400);
    for (const a of list) for (const b of list.slice(0, 60)) expect(Math.sign(compareVenueNames(a, b)), `${a} ${b}`).toBe(Math.sign(collator.compare(a, b)));
  });

  it('sorts the certified venues and the simulated ones as before', () => {
    const list = ['okx', 'binance', 'gate', 'kraken', 'bybit', 'coinbase', 'bitget', 'simex', 'simbit', 'sim-2', 'sim_2', 'sim2', 'a', ''];
    expect([...list].sort(compareVenueNames)).toEqual([...list].sort((a, b) => a.localeCompare(b)));
  });

  it('leaves other names to localeCompare', () => {
    expect(Math.sign(compareVenueNames('Binance', 'alpha'))).toBe(Math.sign('Binance'.localeCompare('alpha')));
    expect(Math.sign(compareVenueNames('éa', 'eb'))).toBe(Math.sign('éa'.localeCompare('eb')));
  });
});
