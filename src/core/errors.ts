/**
 * Typed errors. Every error the core throws on purpose is an XarbError with
 * a stable name, an exit code from the table in the README, and a hint that
 * tells the user what to do. Commands map them to exit codes in one place
 * (src/cli/base-command.ts); tests assert names and exit codes, not wording.
 */

export const ExitCode = {
  ok: 0,
  unexpected: 1,
  usage: 2,
  riskDenied: 3,
  venueFailed: 4,
  discrepancies: 5,
  locked: 6,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class XarbError extends Error {
  readonly exitCode: ExitCode;
  readonly hint: string | undefined;

  constructor(message: string, options: {exitCode: ExitCode; hint?: string; cause?: unknown}) {
    super(message, options.cause === undefined ? undefined : {cause: options.cause});
    this.name = new.target.name;
    this.exitCode = options.exitCode;
    this.hint = options.hint;
  }
}

/** Bad input or usage: exit 2. */
export class UsageError extends XarbError {
  constructor(message: string, hint?: string) {
    super(message, {exitCode: ExitCode.usage, hint: hint ?? 'see the command\'s --help for what it accepts'});
  }
}

/**
 * A valid request that cannot be placed now: no venue can take it (or only
 * part of it) given books, balances, risk caps and market rules. Exit 2: the
 * user changes the request (amount, venues, route), not the input's form.
 */
export class NothingToPlaceError extends XarbError {
  constructor(message: string, hint?: string) {
    super(message, {exitCode: ExitCode.usage, hint: hint ?? 'lower the amount, or see the plan with --dry-run'});
  }
}

/** The arbitrage edge is gone after fees, or the book moved past the leg's limit. Exit 2, nothing sent. */
export class EdgeGoneError extends XarbError {
  constructor(message: string, hint?: string) {
    super(message, {exitCode: ExitCode.usage, hint: hint ?? 'the opportunity moved; scan again'});
  }
}

/** The request conflicts with journalled work (an unfinished plan, a plan whose venues are not open). Exit 2. */
export class PlanConflictError extends XarbError {
  constructor(message: string, hint?: string) {
    super(message, {exitCode: ExitCode.usage, hint: hint ?? 'see `xarb rebalance status`'});
  }
}

/** A number that is not a decimal reached exact arithmetic: a fault in xarb or in data it was given. Exit 1. */
export class DecimalError extends XarbError {
  constructor(message: string) {
    super(message, {exitCode: ExitCode.unexpected, hint: 'run again with XARB_DEBUG=1 for details'});
  }
}

/** Config file or flags that fail validation; lists every problem at once. */
export class ConfigError extends XarbError {
  readonly problems: readonly string[];
  constructor(problems: readonly string[], hint?: string) {
    super(`invalid config: ${problems.join('; ')}`, {exitCode: ExitCode.usage, hint: hint ?? 'fix the fields named above with `xarb config set` or edit the file shown by `xarb config path`'});
    this.problems = problems;
  }
}

export class UnknownSymbolError extends XarbError {
  constructor(symbol: string, venues?: readonly string[]) {
    super(`unknown symbol ${symbol}${venues && venues.length > 0 ? ` on ${venues.join(', ')}` : ''}`, {
      exitCode: ExitCode.usage,
      hint: 'symbols look like BTC/USD; `xarb prices --help` shows the accepted forms',
    });
  }
}

export class UnknownVenueError extends XarbError {
  constructor(venue: string, known: readonly string[]) {
    super(`unknown venue ${venue}`, {exitCode: ExitCode.usage, hint: `configured venues: ${known.join(', ') || '(none)'}; add one with \`xarb exchanges add <ccxt-id>\``});
  }
}

/** Denied by a risk limit or the trading state: exit 3. */
export class RiskDeniedError extends XarbError {
  readonly limit: string;
  readonly limitValue: string;
  readonly attempted: string;
  constructor(limit: string, limitValue: string, attempted: string, detail?: string) {
    super(`denied by risk limit ${limit}: limit ${limitValue}, attempted ${attempted}${detail ? ` (${detail})` : ''}`, {
      exitCode: ExitCode.riskDenied,
      hint: 'see `xarb risk show`; change limits with `xarb risk set`',
    });
    this.limit = limit;
    this.limitValue = limitValue;
    this.attempted = attempted;
  }
}

/** Any venue failure: exit 4. Subclasses say whether the outcome is known. */
export class VenueError extends XarbError {
  readonly venue: string;
  constructor(venue: string, message: string, options: {hint?: string; cause?: unknown} = {}) {
    super(`${venue}: ${message}`, {exitCode: ExitCode.venueFailed, hint: options.hint, cause: options.cause});
    this.venue = venue;
  }
}

/** Network error, timeout, 5xx, rate limit, lost answer: the request may or may not have taken effect. */
export class VenueUnavailableError extends VenueError {
  readonly retryAfterMs: number | undefined;
  constructor(venue: string, message: string, options: {cause?: unknown; retryAfterMs?: number} = {}) {
    super(venue, message, {hint: 'the venue did not answer; check connectivity or try again later', cause: options.cause});
    this.retryAfterMs = options.retryAfterMs;
  }
}

export class VenueAuthError extends VenueError {
  constructor(venue: string, message: string, cause?: unknown) {
    super(venue, message, {hint: `check XARB_${envName(venue)}_API_KEY / _SECRET (and _PASSWORD where the venue needs one)`, cause});
  }
}

/** The venue definitely refused the request (no order exists). */
export class VenueRejectedError extends VenueError {
  constructor(venue: string, message: string, cause?: unknown, hint?: string) {
    super(venue, message, {hint: hint ?? 'the venue refused the request; nothing was placed', cause});
  }
}

export class InsufficientFundsError extends VenueRejectedError {
  constructor(venue: string, message: string, cause?: unknown) {
    super(venue, message, cause, 'not enough balance on the venue; see `xarb balances`');
  }
}

export class InvalidOrderError extends VenueRejectedError {
  constructor(venue: string, message: string, cause?: unknown) {
    super(venue, message, cause, 'the order breaks a market rule (minimum, step, price); see the market with `xarb prices`');
  }
}

/** A venue answered with data xarb cannot use safely (malformed numbers, a deposit address for another network or asset). Exit 4. */
export class VenueDataError extends VenueError {
  constructor(venue: string, message: string, hint?: string) {
    super(venue, message, {hint: hint ?? 'the venue answered with data xarb cannot use; nothing was sent'});
  }
}

export class NotSupportedError extends VenueError {
  constructor(venue: string, what: string) {
    super(venue, `${what} is not supported by this venue`, {hint: 'pick a venue that supports it'});
  }
}

/** Reconcile found discrepancies: exit 5. */
export class DiscrepancyError extends XarbError {
  constructor(message: string) {
    super(message, {exitCode: ExitCode.discrepancies, hint: 'run `xarb reconcile --fix` to bring the journal in line with the venues'});
  }
}

/** Another run holds the lock: exit 6. */
export class LockHeldError extends XarbError {
  constructor(lock: string, holder?: string) {
    super(`another run holds the ${lock} lock${holder ? ` (${holder})` : ''}`, {exitCode: ExitCode.locked, hint: 'wait for it to finish; the lock frees itself when that process exits'});
  }
}

/** XARB_<VENUE> environment prefix for a venue name: binance-main -> BINANCE_MAIN. */
export function envName(venue: string): string {
  return venue.toUpperCase().replace(/[^A-Z0-9]/g, '_');
}

/** The message of anything thrown (an Error's message, else its string form): one helper for every error line. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function isXarbError(error: unknown): error is XarbError {
  return error instanceof XarbError;
}
