/**
 * Every number a person reads goes through here: prices, amounts, money,
 * percentages and ages. Values are exact decimal strings (or numbers,
 * converted to their shortest exact form first) rounded by the one display
 * policy of src/core/money/precision.ts, so no output carries float noise.
 * Thousands are grouped with commas; nothing here decides policy.
 */
import {dec} from '../core/money/decimal.js';
import {formatDuration} from '../core/duration.js';
import {currencyDigits, priceDigits, roundDigits, stepDigits, MAX_DISPLAY_DIGITS} from '../core/money/precision.js';

type Value = string | number | undefined;

function exact(value: Value): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'number' && !Number.isFinite(value)) return undefined;
  try {
    return dec(value);
  } catch {
    return undefined;
  }
}

/** Groups the integer part with commas: 1234567.5 -> 1,234,567.5. */
function group(text: string): string {
  const negative = text.startsWith('-');
  const body = negative ? text.slice(1) : text;
  const [int = '0', frac] = body.split('.');
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${grouped}${frac === undefined ? '' : `.${frac}`}`;
}

/** Whether a value is below zero (or negative zero), so a figure rounded to 0 keeps its sign as en-US output does. */
function negativeInput(value: Value): boolean {
  return typeof value === 'number' ? value < 0 || Object.is(value, -0) : typeof value === 'string' && value.trim().startsWith('-');
}

/** Exactly `digits` decimals (zeros kept), grouped. */
function fixed(text: string, digits: number, negative: boolean): string {
  const rounded = roundDigits(text, digits);
  const [int = '0', frac = ''] = rounded.replace(/^-/, '').split('.');
  const body = digits > 0 ? `${int}.${frac.padEnd(digits, '0')}` : int;
  return group(`${negative ? '-' : ''}${body}`);
}

/** A plain figure (percent, bps, share) with a fixed number of decimals. */
export function fmt(value: Value, digits = 2): string {
  const text = exact(value);
  return text === undefined ? '-' : fixed(text, digits, negativeInput(value));
}

/** A price with its market's tick decimals; without a tick, its quote currency's (more below 1). */
export function fmtPrice(value: Value, quote?: string, tick?: string | number): string {
  const text = exact(value);
  return text === undefined ? '-' : fixed(text, priceDigits(value ?? text, quote, tick), negativeInput(value));
}

/** An amount with at most its lot's decimals (at most 8 without a lot); trailing zeros dropped. */
export function fmtAmount(value: Value, lot?: string | number): string {
  const text = exact(value);
  if (text === undefined) return value === undefined ? '-' : String(value);
  const rounded = roundDigits(text, stepDigits(lot) ?? MAX_DISPLAY_DIGITS);
  return group(negativeInput(value) && !rounded.startsWith('-') ? `-${rounded}` : rounded);
}

/** A total in a currency (cost, fee, value, PnL): the currency's usual decimals (2 for fiat and stablecoins, 8 for crypto). */
export function fmtMoney(value: Value, currency: string): string {
  const text = exact(value);
  return text === undefined ? '-' : fixed(text, currencyDigits(currency), negativeInput(value));
}

/** fmtMoney followed by the currency code. */
export function fmtMoneyIn(value: Value, currency: string): string {
  return `${fmtMoney(value, currency)} ${currency}`;
}

/** Human age: 850ms, 12s, 3m, 2h, 4d. */
export const fmtAge = formatDuration;
