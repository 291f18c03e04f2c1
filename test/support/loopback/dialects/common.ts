/** Small helpers shared by the dialects: HMACs, number formatting, constant-time compare. */
import {createHash, createHmac, timingSafeEqual} from 'node:crypto';
import {dec} from '../../../../src/core/money/decimal.js';

export function hmacHex(algorithm: 'sha256' | 'sha512', key: string | Buffer, payload: string | Buffer): string {
  return createHmac(algorithm, key).update(payload).digest('hex');
}

export function hmacBase64(algorithm: 'sha256' | 'sha512', key: string | Buffer, payload: string | Buffer): string {
  return createHmac(algorithm, key).update(payload).digest('base64');
}

export function sha256(payload: string | Buffer): Buffer {
  return createHash('sha256').update(payload).digest();
}

export function sameText(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A decimal string with at least `places` fraction digits ("1.5" -> "1.50000000"). */
export function fixed(value: string | number, places = 8): string {
  const text = dec(value);
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  const [int, frac = ''] = body.split('.');
  const out = `${int}.${frac.padEnd(places, '0')}`;
  return negative ? `-${out}` : out;
}

/** Number of fraction digits of a power-of-ten step ("0.001" -> 3, "1" -> 0). */
export function stepDecimals(step: string): number {
  const text = dec(step);
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

export function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  return Array.isArray(value) ? value[0] : value;
}

/** Deterministic pseudo-random block of uppercase letters/digits from a number (for kraken-style ids). */
export function code(seq: number, length: number, salt: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let x = (seq * 2654435761 + salt * 40503) >>> 0;
  let out = '';
  for (let i = 0; i < length; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out += alphabet[(x >>> 16) % alphabet.length];
  }
  return out;
}

export function parseIntParam(value: unknown): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}
