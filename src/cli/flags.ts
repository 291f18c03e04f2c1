/**
 * Domain flags and arguments, parsed and validated once so every command
 * rejects `BTC-`, `-1` or `abc` the same way (UsageError, exit 2).
 */
import {Args, Flags} from '@oclif/core';
import {UsageError} from '../core/errors.js';
import {dec, isPositive} from '../core/money/decimal.js';
import {checkQuoteGroup, normalizeSymbol} from '../core/symbols/index.js';

/** Larger than any real order; keeps analytics (plain numbers) finite. */
const MAX_AMOUNT = 1e15;

/** A positive decimal amount as an exact string. */
export function parseAmount(input: string, what = 'amount'): string {
  const text = input.trim();
  if (!/^\+?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text)) throw new UsageError(`${what} must be a positive number, got ${JSON.stringify(input)}`);
  const value = dec(text);
  if (!isPositive(value)) {
    if (/[1-9]/.test(text.replace(/e.*$/i, ''))) throw new UsageError(`${what} is too small: ${text}`, 'amounts have at most 18 decimals');
    throw new UsageError(`${what} must be greater than 0, got ${input}`, 'e.g. 0.5');
  }
  if (!(Number(value) < MAX_AMOUNT)) throw new UsageError(`${what} is too large: ${text.length > 24 ? `${text.slice(0, 24)}…` : text}`, `amounts are at most ${MAX_AMOUNT.toExponential()} base units`);
  return value;
}

export function parsePositiveNumber(input: string, what: string, options: {allowZero?: boolean} = {}): number {
  const n = Number(input.trim());
  if (input.trim() === '' || !Number.isFinite(n) || n < 0 || (!options.allowZero && n === 0)) {
    throw new UsageError(`${what} must be a ${options.allowZero ? 'non-negative' : 'positive'} number, got ${JSON.stringify(input)}`);
  }
  return n;
}

const UNITS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000};

/** Durations like 500ms, 30s, 5m, 1h, 7d; a bare number is seconds. */
export function parseDuration(input: string, what = 'duration'): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/.exec(input.trim());
  if (!m) throw new UsageError(`${what} must look like 30s, 5m, 1h or 7d, got ${JSON.stringify(input)}`);
  return Number(m[1]) * UNITS[m[2] ?? 's']!;
}

export function parseVenueList(input: string): string[] {
  const names = input.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError('--venues needs at least one venue name');
  for (const name of names) if (!/^[a-z0-9][a-z0-9_-]*$/i.test(name)) throw new UsageError(`bad venue name ${JSON.stringify(name)}`);
  return [...new Set(names.map((n) => n.toLowerCase()))];
}

/** name=number,name=number (targets, asset targets). */
export function parseWeights(input: string, what: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of input.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([A-Za-z0-9_-]+)=(\d+(?:\.\d+)?)$/.exec(part);
    if (!m) throw new UsageError(`${what}: expected name=percent, got ${JSON.stringify(part)}`);
    out[m[1]!] = Number(m[2]);
  }
  if (Object.keys(out).length === 0) throw new UsageError(`${what} is empty`);
  return out;
}

export const symbolArg = Args.custom<string>({
  description: 'market symbol, e.g. BTC/USD, BTC-USD, btcusdt or XBT/USD',
  parse: async (input) => normalizeSymbol(input),
});

export const amountArg = Args.custom<string>({
  description: 'amount in base units, e.g. 0.5',
  parse: async (input) => parseAmount(input),
});

export const venuesFlag = Flags.custom<string[]>({
  description: 'comma-separated venue names (default: all configured)',
  helpValue: 'a,b',
  parse: async (input) => parseVenueList(input),
});

export const venueFlag = Flags.custom<string>({
  description: 'one venue name',
  helpValue: 'NAME',
  parse: async (input) => parseVenueList(input)[0]!,
});

export const amountFlag = Flags.custom<string>({
  helpValue: 'AMOUNT',
  parse: async (input) => parseAmount(input),
});

export const durationFlag = Flags.custom<number>({
  helpValue: '1h',
  parse: async (input) => parseDuration(input),
});

export const quoteGroupFlag = Flags.custom<string>({
  description: 'treat the quotes of a group as one (usd: USD, USDT, USDC); results are labelled',
  helpValue: 'usd',
  parse: async (input) => checkQuoteGroup(input)!,
});

export const numberFlag = Flags.custom<number>({
  parse: async (input) => parsePositiveNumber(input, 'value', {allowZero: true}),
});

/** A point in time: a duration back from now (1h, 7d) or a date/time (2025-01-15, ISO 8601; UTC unless an offset is given). */
export function parseInstant(input: string, now: number, what: string): number {
  const text = input.trim();
  if (/^\d+(\.\d+)?(ms|s|m|h|d|w)$/.test(text)) return now - parseDuration(text, what);
  // A date or a date-time without an offset is UTC.
  const iso = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/.test(text) ? (text.length === 10 ? `${text}T00:00:00Z` : `${text}Z`) : text;
  const t = /^\d{4}-\d{2}-\d{2}/.test(text) ? Date.parse(iso) : Number.NaN;
  if (!Number.isFinite(t)) throw new UsageError(`${what} must be a duration like 1h or 7d, or a date like 2025-01-15 or 2025-01-15T08:00:00Z, got ${JSON.stringify(text.slice(0, 40))}`);
  return t;
}

/** A market-data bus URL: nats://host:port (several, comma-separated, for a cluster). */
export function parseSourceUrl(input: string): string {
  const urls = input.split(',').map((u) => u.trim()).filter(Boolean);
  for (const u of urls) {
    let url: URL;
    try {
      url = new URL(u);
    } catch {
      throw new UsageError(`--source must be a nats:// URL, got ${JSON.stringify(input)}`, 'e.g. --source nats://127.0.0.1:4222');
    }
    if (url.protocol !== 'nats:') throw new UsageError(`--source must be a nats:// URL, got ${JSON.stringify(input)}`, 'e.g. --source nats://127.0.0.1:4222');
  }
  if (urls.length === 0) throw new UsageError('--source must be a nats:// URL', 'e.g. --source nats://127.0.0.1:4222');
  return urls.join(',');
}

export const sourceFlag = Flags.custom<string>({
  description: 'read books and market metadata from the market-data bus (nats://host:4222) instead of the venues; default: market.source in config',
  helpValue: 'nats://host:4222',
  parse: async (input) => parseSourceUrl(input),
});
