/**
 * Exact decimal arithmetic on strings for money that is stored, summed or
 * sent (amounts, fills, balances, fees). Values are fixed point with 18
 * fractional digits held in a bigint; results of mul/div are truncated toward
 * zero at 18 digits, which is far below any venue's precision.
 *
 * Analytics (book walking, scanners) use plain numbers; convert at the edge
 * with `dec()` (number -> string, shortest round-trip form) and `num()`.
 */
import {DecimalError} from '../errors.js';

const SCALE = 18;
const ONE = 10n ** BigInt(SCALE);
const PATTERN = /^([+-])?(\d+)?(?:\.(\d*))?(?:e([+-]?\d+))?$/i;

export type Decimal = string;

/** Parses a decimal string or finite number into scaled bigint units; throws on anything else. */
export function toUnits(value: string | number): bigint {
  const text = typeof value === 'number' ? numberToString(value) : value.trim();
  const match = PATTERN.exec(text);
  if (!match || (match[2] === undefined && (match[3] === undefined || match[3] === ''))) {
    throw new DecimalError(`not a number: ${JSON.stringify(value)}`);
  }
  const sign = match[1] === '-' ? -1n : 1n;
  let intPart = match[2] ?? '0';
  let frac = match[3] ?? '';
  const exp = match[4] === undefined ? 0 : Number(match[4]);
  if (exp > 0) {
    const moved = frac.padEnd(exp, '0');
    intPart += moved.slice(0, exp);
    frac = moved.slice(exp);
  } else if (exp < 0) {
    const padded = intPart.padStart(-exp + 1, '0');
    frac = padded.slice(padded.length + exp) + frac;
    intPart = padded.slice(0, padded.length + exp);
  }
  const fracUnits = BigInt((frac.slice(0, SCALE) || '0').padEnd(SCALE, '0'));
  return sign * (BigInt(intPart || '0') * ONE + fracUnits);
}

export function fromUnits(units: bigint): Decimal {
  const negative = units < 0n;
  const abs = negative ? -units : units;
  const int = abs / ONE;
  const frac = (abs % ONE).toString().padStart(SCALE, '0').replace(/0+$/, '');
  const body = frac ? `${int}.${frac}` : `${int}`;
  return negative && body !== '0' ? `-${body}` : body;
}

function numberToString(value: number): string {
  if (!Number.isFinite(value)) throw new DecimalError(`not a finite number: ${value}`);
  return String(value);
}

/** Normalizes any decimal input to canonical form ("1.50" -> "1.5"). */
export function dec(value: string | number): Decimal {
  // Already canonical (the common case: values read back or passed on): returned as is, no bigint round trip.
  if (typeof value === 'string' && CANONICAL.test(value) && value !== '-0') return value;
  return fromUnits(toUnits(value));
}
/** What fromUnits writes: no sign but a minus, no leading zeros, no trailing fractional zeros, at most 18 digits after the point. */
const CANONICAL = /^-?(?:0|[1-9]\d*)(?:\.\d{0,17}[1-9])?$/;

export function isDecimal(value: string): boolean {
  try {
    toUnits(value);
    return true;
  } catch {
    return false;
  }
}

export function num(value: Decimal): number {
  return Number(value);
}

export function add(...values: (string | number)[]): Decimal {
  let total = 0n;
  for (const value of values) total += toUnits(value);
  return fromUnits(total);
}

export function sub(a: string | number, b: string | number): Decimal {
  return fromUnits(toUnits(a) - toUnits(b));
}

export function mul(a: string | number, b: string | number): Decimal {
  return fromUnits((toUnits(a) * toUnits(b)) / ONE);
}

export function div(a: string | number, b: string | number): Decimal {
  const divisor = toUnits(b);
  if (divisor === 0n) throw new DecimalError('division by zero');
  return fromUnits((toUnits(a) * ONE) / divisor);
}

export function neg(a: string | number): Decimal {
  return fromUnits(-toUnits(a));
}

export function abs(a: string | number): Decimal {
  const units = toUnits(a);
  return fromUnits(units < 0n ? -units : units);
}

export function cmp(a: string | number, b: string | number): -1 | 0 | 1 {
  const x = toUnits(a);
  const y = toUnits(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function isZero(a: string | number): boolean {
  return toUnits(a) === 0n;
}

export function isPositive(a: string | number): boolean {
  return toUnits(a) > 0n;
}

export function isNegative(a: string | number): boolean {
  return toUnits(a) < 0n;
}

export function min(a: string | number, b: string | number): Decimal {
  return cmp(a, b) <= 0 ? dec(a) : dec(b);
}

export function max(a: string | number, b: string | number): Decimal {
  return cmp(a, b) >= 0 ? dec(a) : dec(b);
}

export type RoundingMode = 'down' | 'up' | 'nearest';

/**
 * Rounds to a multiple of `step` (a tick size such as 0.001). `down` is toward
 * zero, which is what amounts sent to a venue use (never more than asked).
 */
export function roundToStep(value: string | number, step: string | number | undefined, mode: RoundingMode = 'down'): Decimal {
  if (step === undefined) return dec(value);
  const s = toUnits(step);
  if (s <= 0n) return dec(value);
  const v = toUnits(value);
  const negative = v < 0n;
  const a = negative ? -v : v;
  let q = a / s;
  const r = a % s;
  if (r !== 0n && (mode === 'up' || (mode === 'nearest' && r * 2n >= s))) q += 1n;
  const out = q * s;
  return fromUnits(negative ? -out : out);
}

/** Sum of a list of decimals. */
export function sum(values: Iterable<string | number>): Decimal {
  let total = 0n;
  for (const value of values) total += toUnits(value);
  return fromUnits(total);
}
