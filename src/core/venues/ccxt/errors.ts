/**
 * ccxt errors -> xarb's typed errors (src/core/errors.ts).
 *
 * Invariants:
 * - Anything that leaves the outcome of a request unknown (network errors,
 *   timeouts, rate limits, 5xx, maintenance, malformed or lost answers, and
 *   any non-ccxt error thrown from inside a ccxt call) becomes
 *   VenueUnavailableError. A create-order that ends this way is resolved by
 *   looking its clientOrderId up, never by re-sending.
 * - Only an explicit refusal from the venue becomes VenueRejectedError or one
 *   of its subclasses (InsufficientFundsError, InvalidOrderError).
 * - DuplicateOrderId means an order with our clientOrderId already exists on
 *   the venue, so it is reported as outcome-unknown too: the caller must look
 *   the order up, not mark it rejected.
 * - Messages never contain credentials: every message passes through a
 *   scrubber built from the venue's secrets.
 *
 * ccxt error classes are recognised by the names on their prototype chain, so
 * this module does not import ccxt at all.
 */
import {
  InsufficientFundsError,
  InvalidOrderError,
  NotSupportedError,
  UnknownSymbolError,
  VenueAuthError,
  VenueError,
  VenueRejectedError,
  VenueUnavailableError,
  XarbError,
} from '../../errors.js';

/** The venue answered something xarb cannot read (a required field missing or not a finite number). */
export class VenueDataError extends VenueError {
  constructor(venue: string, message: string, cause?: unknown) {
    super(venue, message, {hint: 'the venue answered in a shape xarb does not understand; rerun with XARB_DEBUG=1 and report it', cause});
  }
}

/** Names of the classes on an error's prototype chain, most specific first. */
export function errorClassNames(error: unknown): string[] {
  const names: string[] = [];
  if (typeof error !== 'object' || error === null) return names;
  let proto: unknown = Object.getPrototypeOf(error);
  while (proto && proto !== Object.prototype) {
    const name = (proto as {constructor?: {name?: string}}).constructor?.name;
    if (name) names.push(name);
    proto = Object.getPrototypeOf(proto);
  }
  return names;
}

export function isCcxtError(error: unknown): boolean {
  return errorClassNames(error).includes('BaseError');
}

/** Builds a function that replaces every occurrence of the given secrets (and their URL-encoded forms) with ***. */
export function makeScrubber(secrets: readonly (string | undefined)[]): (text: string) => string {
  const needles = new Set<string>();
  for (const secret of secrets) {
    if (secret === undefined || secret.length < 4) continue;
    needles.add(secret);
    needles.add(encodeURIComponent(secret));
  }
  const list = [...needles].sort((a, b) => b.length - a.length);
  if (list.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const needle of list) out = out.split(needle).join('***');
    return out;
  };
}

const UNAVAILABLE = new Set([
  'NetworkError',
  'RequestTimeout',
  'DDoSProtection',
  'RateLimitExceeded',
  'ExchangeNotAvailable',
  'OnMaintenance',
  'InvalidNonce',
  'BadResponse',
  'NullResponse',
  'CancelPending',
  'OperationFailed',
]);

export interface ErrorContext {
  /** What we were doing, e.g. "createOrder BTC/USD"; prefixed to the message. */
  readonly op?: string;
  /** The canonical symbol involved, for UnknownSymbolError. */
  readonly symbol?: string;
  /** Retry-After of the answer, when known. */
  readonly retryAfterMs?: number;
  /**
   * True while placing an order: a bad request then means the order broke a
   * market rule (binance reports min-notional failures as BadRequest).
   */
  readonly placing?: boolean;
}

function trimMessage(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 500 ? `${oneLine.slice(0, 500)}...` : oneLine;
}

/**
 * Maps an error thrown from inside a ccxt call to a typed XarbError. XarbErrors
 * pass through unchanged. The original error is kept as `cause`, with its
 * message and stack scrubbed of secrets.
 */
export function mapCcxtError(venue: string, error: unknown, scrub: (text: string) => string, context: ErrorContext = {}): XarbError {
  if (error instanceof XarbError) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const cleaned = scrub(raw);
  if (error instanceof Error) {
    error.message = cleaned;
    if (error.stack) error.stack = scrub(error.stack);
  }
  const message = trimMessage(context.op ? `${context.op}: ${cleaned}` : cleaned);
  const names = errorClassNames(error);
  const is = (name: string) => names.includes(name);
  if (!is('BaseError')) {
    // Not a ccxt error: ccxt failed to read the answer (malformed body) or the transport broke.
    return new VenueUnavailableError(venue, `unexpected answer: ${message}`, {cause: error});
  }
  if (is('DuplicateOrderId')) {
    return new VenueUnavailableError(venue, `the venue reports an order with this client id already exists; look it up by client id: ${message}`, {cause: error});
  }
  for (const name of names) {
    if (UNAVAILABLE.has(name)) return new VenueUnavailableError(venue, message, {cause: error, retryAfterMs: context.retryAfterMs});
  }
  if (is('AuthenticationError')) return new VenueAuthError(venue, message, error);
  if (is('InsufficientFunds')) return new InsufficientFundsError(venue, message, error);
  if (is('BadSymbol')) {
    const unknown = new UnknownSymbolError(context.symbol ?? 'symbol', [venue]);
    (unknown as {cause?: unknown}).cause = error;
    return unknown;
  }
  if (is('InvalidOrder')) return new InvalidOrderError(venue, message, error);
  if (context.placing && (is('BadRequest') || is('OperationRejected'))) return new InvalidOrderError(venue, message, error);
  if (is('NotSupported')) return new NotSupportedError(venue, context.op ?? 'this call');
  if (is('BadRequest') || is('OperationRejected')) return new VenueRejectedError(venue, message, error);
  // An error ccxt could not classify (a gateway's 503 with a JSON body, kraken's
  // EGeneral:Unknown error) says nothing about whether an order or withdrawal
  // took effect: treat it as outcome unknown, to be resolved by looking it up.
  return new VenueUnavailableError(venue, `unclassified venue error, outcome unknown: ${message}`, {cause: error});
}

/** Parses a Retry-After header value (seconds or an HTTP date) into ms. */
export function parseRetryAfter(value: unknown, now: number): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value).trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
