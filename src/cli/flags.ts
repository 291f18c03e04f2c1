/**
 * Domain flags and arguments, parsed and validated once so every command
 * rejects `BTC-`, `-1`, `0x10`, `60` (a duration without a unit) or `abc` the
 * same way (UsageError, exit 2). Commands never parse a domain value
 * themselves: symbols, assets, venue names and lists, amounts, numbers,
 * integers, durations and `--since` all come from here.
 *
 * Grammar (docs/design-decisions.md, "Flags"):
 * - numbers are plain decimals (`12`, `0.5`, `1e-3`); hex, `Infinity`, `NaN`,
 *   commas and signs other than a leading `+` are refused everywhere;
 * - integers are decimal digits only and at most Number.MAX_SAFE_INTEGER;
 * - durations always carry a unit: 500ms, 10s, 5m, 1h, 7d, 2w (bare `0` is
 *   the one exception: zero in any unit); they are at most 100 years;
 * - `--since` is a duration back from now or an ISO date/time, read as UTC
 *   unless it carries an offset (`Z`, `+02:00`);
 * - inputs echoed in an error are quoted, escaped and cut to 40 characters.
 */
import {Args, Flags, type Interfaces} from '@oclif/core';
import {UsageError, XarbError} from '../core/errors.js';
import {sourceUrl} from '../core/bus/port.js';
import {dec, isPositive} from '../core/money/decimal.js';
import {canonicalAsset, checkQuoteGroup, normalizeSymbol, parseSymbol} from '../core/symbols/index.js';

/** Larger than any real order; keeps analytics (plain numbers) finite. */
const MAX_AMOUNT = 1e15;
const NUMBER = /^\+?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const INTEGER = /^\+?\d+$/;

/** An input as it may appear in an error line: quoted, control characters escaped, cut to `max` characters. */
export function quoteInput(input: string, max = 40): string {
  const cut = input.length > max ? `${input.slice(0, max)}…` : input;
  return JSON.stringify(cut).replace(/[\u007f-\u009f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A positive decimal amount as an exact string. */
export function parseAmount(input: string, what = 'amount'): string {
  const text = input.trim();
  if (!NUMBER.test(text)) throw new UsageError(`${what} must be a positive number, got ${quoteInput(input)}`);
  const value = dec(text);
  if (!isPositive(value)) {
    if (/[1-9]/.test(text.replace(/e.*$/i, ''))) throw new UsageError(`${what} is too small: ${quoteInput(text)}`, 'amounts have at most 18 decimals');
    throw new UsageError(`${what} must be greater than 0, got ${quoteInput(input)}`, 'e.g. 0.5');
  }
  if (!(Number(value) < MAX_AMOUNT)) throw new UsageError(`${what} is too large: ${quoteInput(text, 24)}`, `amounts are at most ${MAX_AMOUNT.toExponential()} base units`);
  return value;
}

/** A non-negative (or, without allowZero, positive) plain decimal number, for analytics settings (bps, percent). */
export function parsePositiveNumber(input: string, what: string, options: {allowZero?: boolean; max?: number} = {}): number {
  const text = input.trim();
  const n = NUMBER.test(text) ? Number(text) : Number.NaN;
  if (!Number.isFinite(n) || (!options.allowZero && n === 0)) {
    throw new UsageError(`${what} must be a ${options.allowZero ? 'non-negative' : 'positive'} number, got ${quoteInput(input)}`);
  }
  if (options.max !== undefined && n > options.max) throw new UsageError(`${what} must be at most ${options.max}, got ${quoteInput(input)}`);
  return n;
}

/** A whole number in decimal digits, within [min, max] (max at most Number.MAX_SAFE_INTEGER). */
export function parseInteger(input: string, what: string, options: {min?: number; max?: number} = {}): number {
  const text = input.trim();
  const min = options.min ?? 0;
  const max = Math.min(options.max ?? Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
  if (!INTEGER.test(text)) throw new UsageError(`${what} must be a whole number, got ${quoteInput(input)}`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n > max) throw new UsageError(`${what} must be at most ${max}, got ${quoteInput(input)}`);
  if (n < min) throw new UsageError(`${what} must be at least ${min}, got ${quoteInput(input)}`);
  return n;
}

const UNITS: Record<string, number> = {ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000};
/** No duration is longer than 100 years. */
export const MAX_DURATION_MS = 100 * 365 * 86_400_000;
/** setTimeout's limit (2^31-1 ms, about 24.8 days): longer waits fire at once. */
export const MAX_TIMER_MS = 2_147_483_647;
/** The shortest --interval of a watch loop; venues' own rate limits raise it further. */
export const MIN_WATCH_INTERVAL_MS = 100;

export interface DurationLimits {
  readonly min?: number;
  readonly max?: number;
}

/** Durations like 500ms, 30s, 5m, 1h, 7d, 2w, in milliseconds. A number without a unit is refused (except 0). */
export function parseDuration(input: string, what = 'duration', limits: DurationLimits = {}): number {
  const text = input.trim();
  if (/^\+?\d+(\.\d+)?$/.test(text) && Number(text) !== 0) {
    throw new UsageError(`${what} needs a unit: ${text}s`, 'durations carry a unit: 500ms, 10s, 5m, 1h, 7d or 2w');
  }
  const m = /^\+?(\d+(?:\.\d+)?)(ms|s|m|h|d|w)?$/.exec(text);
  if (!m) throw new UsageError(`${what} must be a duration such as 500ms, 10s, 5m, 1h or 7d, got ${quoteInput(input)}`);
  const ms = Math.round(Number(m[1]) * UNITS[m[2] ?? 'ms']!);
  const max = Math.min(limits.max ?? MAX_DURATION_MS, MAX_DURATION_MS);
  if (!Number.isFinite(ms) || ms > max) throw new UsageError(`${what} is too long: ${quoteInput(text)}`, `at most ${formatDurationLimit(max)}`);
  if (limits.min !== undefined && ms < limits.min) throw new UsageError(`${what} must be at least ${formatDurationLimit(limits.min)}, got ${quoteInput(text)}`);
  return ms;
}

/** A limit in the largest unit that divides it (60000 -> 1m), or in ms. */
function formatDurationLimit(ms: number): string {
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) if (ms >= UNITS[unit]! && ms % UNITS[unit]! === 0) return `${ms / UNITS[unit]!}${unit}`;
  return `${ms}ms`;
}

/** `--since`: a span back from now, or a fixed time. Resolved against the run's clock with sinceTime(). */
export type Since = {readonly ago: number} | {readonly at: number};

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/** Parses `--since`: 7d, 90m (a duration) or 2025-01-15, 2025-01-15T10:00, 2025-01-15T10:00+02:00 (UTC unless an offset is given). */
export function parseSince(input: string, what = '--since'): Since {
  const text = input.trim();
  const iso = ISO.exec(text);
  if (iso) {
    const [, y, mo, d, h = '00', mi = '00', s = '00', frac = '', zone] = iso;
    const offset = !zone || zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone;
    const at = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${frac}${offset}`);
    const check = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d)));
    if (Number.isNaN(at) || check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1) throw new UsageError(`${what} is not a valid date: ${quoteInput(input)}`, 'e.g. 2025-01-15 or 2025-01-15T10:00:00Z');
    return {at};
  }
  if (/^\+?\d+(\.\d+)?$/.test(text) && Number(text) !== 0) return {ago: parseDuration(text, what)};
  if (!/^\+?\d+(\.\d+)?(ms|s|m|h|d|w)?$/.test(text)) {
    throw new UsageError(`${what} must be a duration such as 1h or 7d, or a date such as 2025-01-15 (UTC unless an offset is given), got ${quoteInput(input)}`);
  }
  return {ago: parseDuration(text, what)};
}

/** The epoch ms a --since means at `now`; refuses the future and times before 1970. */
export function sinceTime(since: Since, now: number, what = '--since'): number {
  const t = 'ago' in since ? now - since.ago : since.at;
  if (t > now) throw new UsageError(`${what} is in the future: ${new Date(t).toISOString()}`);
  if (t < 0) throw new UsageError(`${what} reaches back before 1970`, 'e.g. 7d or 2025-01-15');
  return t;
}

const ASSET = /^[A-Za-z0-9]{1,15}$/;

/** An asset code (BTC, usdt, XBT -> BTC). */
export function parseAsset(input: string, what = 'asset'): string {
  if (!ASSET.test(input.trim())) throw new UsageError(`${what} must be an asset code such as BTC, got ${quoteInput(input)}`);
  return canonicalAsset(input.trim());
}

/** BTC/USDT:USDT, BTC-USD, btcusdt -> BTC; a bare asset code is taken as the underlying itself. */
export function parseUnderlying(input: string): string {
  try {
    return parseSymbol(input).base;
  } catch (error) {
    if (ASSET.test(input.trim())) return parseAsset(input);
    throw error;
  }
}

const VENUE_NAME = /^[a-z0-9][a-z0-9_-]*$/i;

export function parseVenueList(input: string, what = '--venues'): string[] {
  const names = input.split(',').map((s) => s.trim()).filter(Boolean);
  if (names.length === 0) throw new UsageError(`${what} needs at least one venue name`);
  for (const name of names) if (!VENUE_NAME.test(name) || name.length > 64) throw new UsageError(`bad venue name ${quoteInput(name)}`);
  return [...new Set(names.map((n) => n.toLowerCase()))];
}

/** Exactly one venue name: `a,b` is refused (a second name is never silently dropped). */
export function parseVenueName(input: string, what = '--venue'): string {
  if (input.includes(',')) throw new UsageError(`${what} takes exactly one venue name, got ${quoteInput(input)}`, 'commands that fan out take --venues a,b');
  const [name] = parseVenueList(input, what);
  return name!;
}

/** name=number,name=number (targets, asset targets). */
export function parseWeights(input: string, what: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of input.split(',').map((s) => s.trim()).filter(Boolean)) {
    const m = /^([A-Za-z0-9_-]+)=(\d+(?:\.\d+)?)$/.exec(part);
    if (!m) throw new UsageError(`${what}: expected name=percent, got ${quoteInput(part)}`);
    out[m[1]!] = Number(m[2]);
  }
  if (Object.keys(out).length === 0) throw new UsageError(`${what} is empty`);
  return out;
}

/** ASSET=amount,ASSET=amount (paper balances) as exact decimals; 0 is allowed. */
export function parseAssetAmounts(input: string, what: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of input.split(',').map((s) => s.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new UsageError(`${what}: expected ASSET=amount, got ${quoteInput(part)}`, 'e.g. USDT=10000,BTC=1');
    const asset = parseAsset(part.slice(0, eq), what);
    const raw = part.slice(eq + 1).trim();
    out[asset] = /^0*(\.0*)?$/.test(raw) && raw !== '' ? '0' : parseAmount(raw, `${what} ${asset}`);
  }
  if (Object.keys(out).length === 0) throw new UsageError(`${what} is empty`, 'e.g. USDT=10000,BTC=1');
  return out;
}

/** The shown flag name of a value, for messages: flag parsers do not know their own name. */
function flagName(name: string | undefined, fallback: string): string {
  return name ? `--${name}` : fallback;
}

type FlagContext = {readonly name?: string} | undefined;

/** Wraps a parser so a failure names the flag it came from. */
function named<T>(parse: (input: string, what: string) => T, fallback: string) {
  return async (input: string, _ctx: unknown, opts: FlagContext): Promise<T> => {
    try {
      return parse(input, flagName(opts?.name, fallback));
    } catch (error) {
      if (error instanceof XarbError) throw error;
      throw new UsageError(`${flagName(opts?.name, fallback)}: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
}

export const symbolArg = Args.custom<string>({
  description: 'market symbol, e.g. BTC/USD, BTC-USD, btcusdt or XBT/USD',
  parse: async (input) => normalizeSymbol(input),
});

export const amountArg = Args.custom<string>({
  description: 'amount in base units, e.g. 0.5',
  parse: async (input) => parseAmount(input),
});

export const assetArg = Args.custom<string>({
  description: 'asset code, e.g. BTC',
  parse: async (input) => parseAsset(input),
});

/** A positive whole number argument (run ids, journal ids). */
export function integerArg(what: string) {
  return Args.custom<number>({parse: async (input) => parseInteger(input, what, {min: 1})});
}

export const symbolFlag = Flags.custom<string>({
  helpValue: 'BTC/USD',
  parse: async (input) => normalizeSymbol(input),
});

export const assetFlag = Flags.custom<string>({
  helpValue: 'BTC',
  parse: named(parseAsset, 'asset'),
});

export const venuesFlag = Flags.custom<string[]>({
  description: 'comma-separated venue names (default: all configured)',
  helpValue: 'a,b',
  parse: named(parseVenueList, '--venues'),
});

export const venueFlag = Flags.custom<string>({
  description: 'one venue name',
  helpValue: 'NAME',
  parse: named(parseVenueName, '--venue'),
});

export const amountFlag = Flags.custom<string>({
  helpValue: 'AMOUNT',
  parse: named(parseAmount, 'amount'),
});

export const quoteGroupFlag = Flags.custom<string>({
  description: 'treat the quotes of a group as one (usd: USD, USDT, USDC); results are labelled',
  helpValue: 'usd',
  parse: async (input) => checkQuoteGroup(input)!,
});

/** A non-negative plain number (bps, percent, quote amounts for filters). */
export const numberFlag = Flags.custom<number>({
  parse: named((input, what) => parsePositiveNumber(input, what, {allowZero: true}), 'value'),
});

/** A point in time (export --since/--until): a duration back from now or an ISO date/time, UTC unless an offset is given. */
export function parseInstant(input: string, now: number, what: string): number {
  const at = parseSince(input, what);
  return 'ago' in at ? now - at.ago : at.at;
}

interface IntegerOptions {
  readonly description: string;
  readonly default?: number;
  readonly min?: number;
  readonly max?: number;
  readonly helpValue?: string;
}

/** A whole number flag: decimal digits only, within [min, max]. */
export function integerFlag(options: IntegerOptions & {default: number}): Interfaces.OptionFlag<number>;
export function integerFlag(options: IntegerOptions): Interfaces.OptionFlag<number | undefined>;
export function integerFlag(options: IntegerOptions): Interfaces.OptionFlag<number | undefined> {
  const {min, max, ...rest} = options;
  return Flags.custom<number>({parse: named((input, what) => parseInteger(input, what, {min, max}), 'value')})({helpValue: 'N', ...rest});
}

/**
 * A duration flag. The default is written with its unit ('60s') and shown so
 * in --help; the parsed value is milliseconds.
 */
interface DurationOptions {
  readonly description: string;
  readonly default?: string;
  readonly min?: number;
  readonly max?: number;
  readonly helpValue?: string;
}

export function durationFlag(options: DurationOptions & {default: string}): Interfaces.OptionFlag<number>;
export function durationFlag(options: DurationOptions): Interfaces.OptionFlag<number | undefined>;
export function durationFlag(options: DurationOptions): Interfaces.OptionFlag<number | undefined> {
  const {default: text, min, max, ...rest} = options;
  const parse = named((input, what) => parseDuration(input, what, {min, max}), 'duration');
  const base = Flags.custom<number>({parse});
  if (text === undefined) return base({helpValue: 'DURATION', ...rest});
  return base({helpValue: text, ...rest, default: parseDuration(text, 'default', {min, max}), defaultHelp: async () => text});
}

/** A watch or polling interval: at least MIN_WATCH_INTERVAL_MS, below Node's timer limit. */
export function intervalFlag(options: {description: string; default: string}): Interfaces.OptionFlag<number> {
  return durationFlag({...options, helpValue: '2s', min: MIN_WATCH_INTERVAL_MS, max: MAX_TIMER_MS});
}

/** `--since`: a duration back from now or an ISO date (UTC unless an offset is given); resolve with sinceTime(). */
export function sinceFlag(options: {description: string; default: string}): Interfaces.OptionFlag<Since>;
export function sinceFlag(options: {description: string}): Interfaces.OptionFlag<Since | undefined>;
export function sinceFlag(options: {description: string; default?: string}): Interfaces.OptionFlag<Since | undefined> {
  const {default: text, ...rest} = options;
  const base = Flags.custom<Since>({parse: named((input, what) => parseSince(input, what), '--since')});
  if (text === undefined) return base({helpValue: '7d', ...rest});
  return base({helpValue: '7d', ...rest, default: parseSince(text), defaultHelp: async () => text});
}

/** ASSET=amount,... flag (paper balances). */
export const assetAmountsFlag = Flags.custom<Record<string, string>>({
  helpValue: 'USDT=10000,BTC=1',
  parse: named(parseAssetAmounts, 'balances'),
});

/** Percentage points from 0 to 100. */
export function parsePercent(input: string, what: string): number {
  return parsePositiveNumber(input, what, {allowZero: true, max: 100});
}

export function percentFlag(options: {description: string; helpValue?: string; default?: number}) {
  return Flags.custom<number>({parse: named(parsePercent, 'percent')})(options);
}

/** A market-data bus URL: nats://host:port (several, comma-separated, for a cluster). */
export function parseSourceUrl(input: string): string {
  return sourceUrl(input, '--source', 'e.g. --source nats://127.0.0.1:4222');
}

export const sourceFlag = Flags.custom<string>({
  description: 'read books and market metadata from the market-data bus (nats://host:4222) instead of the venues; default: XARB_MARKET_SOURCE, then market.source in config',
  helpValue: 'nats://host:4222',
  parse: async (input) => parseSourceUrl(input),
});
