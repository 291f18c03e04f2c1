/**
 * Stateless deterministic randomness for the simulated markets. Every value
 * is a pure function of integer keys (seed, symbol hash, time bucket, level),
 * never of call order, so a book generated to depth 1 is the prefix of the
 * same book generated to depth 50, and two processes with the same clock see
 * the same numbers.
 */

/** 32-bit FNV-1a hash of a string. */
export function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** murmur3's finalizer: a good 32-bit avalanche. */
function fmix(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Folds one integer key (any safe integer, negatives included) into a hash. */
export function mix(hash: number, key: number): number {
  const lo = key >>> 0;
  const hi = Math.floor(key / 4294967296) >>> 0;
  let h = fmix(((hash ^ lo) + 0x9e3779b9) | 0);
  if (hi !== 0) h = fmix(((h ^ hi) + 0x7f4a7c15) | 0);
  return h;
}

/** Uniform in [0, 1) from a hash and two integer keys. */
export function unit(hash: number, a: number, b = 0): number {
  return mix(mix(hash, a), b) / 4294967296;
}

/**
 * Smooth value noise in [-1, 1]: random knots every `period` seconds joined
 * by a smoothstep, so the value moves a little from one second to the next
 * and a lot over many periods.
 */
export function smoothNoise(hash: number, second: number, period: number): number {
  const x = second / period;
  const k = Math.floor(x);
  const f = x - k;
  const s = f * f * (3 - 2 * f);
  const a = unit(hash, k, period) * 2 - 1;
  const b = unit(hash, k + 1, period) * 2 - 1;
  return a + (b - a) * s;
}

/** A seed from config (any number) as a 32-bit hash. */
export function seedHash(seed: number | string): number {
  return hashString(`seed:${String(seed)}`);
}
