import {describe, expect, it} from 'vitest';
import {
  ExitCode,
  InsufficientFundsError,
  InvalidOrderError,
  NotSupportedError,
  UnknownSymbolError,
  VenueAuthError,
  VenueRejectedError,
  VenueUnavailableError,
} from '../../src/core/errors.js';
import {errorClassNames, makeScrubber, mapCcxtError, parseRetryAfter} from '../../src/core/venues/ccxt/errors.js';
import {originalUrl, rewriteUrl, rewriteUrlTree} from '../../src/core/venues/ccxt/urls.js';

// Stand-ins with ccxt's class names and hierarchy (the mapper matches on names, not identity).
class BaseError extends Error {}
class ExchangeError extends BaseError {}
class AuthenticationError extends ExchangeError {}
class PermissionDenied extends AuthenticationError {}
class InsufficientFunds extends ExchangeError {}
class InvalidOrder extends ExchangeError {}
class OrderNotFound extends InvalidOrder {}
class DuplicateOrderId extends InvalidOrder {}
class BadRequest extends ExchangeError {}
class BadSymbol extends BadRequest {}
class NotSupported extends ExchangeError {}
class OperationFailed extends BaseError {}
class NetworkError extends OperationFailed {}
class RequestTimeout extends NetworkError {}
class RateLimitExceeded extends NetworkError {}
class ExchangeNotAvailable extends NetworkError {}
class OnMaintenance extends ExchangeNotAvailable {}
class BadResponse extends OperationFailed {}

const none = (text: string) => text;

describe('mapCcxtError', () => {
  const cases: [Error, new (...args: never[]) => Error][] = [
    [new RequestTimeout('binance GET timed out'), VenueUnavailableError],
    [new RateLimitExceeded('429'), VenueUnavailableError],
    [new OnMaintenance('maintenance'), VenueUnavailableError],
    [new ExchangeNotAvailable('503'), VenueUnavailableError],
    [new BadResponse('garbage'), VenueUnavailableError],
    [new DuplicateOrderId('dup'), VenueUnavailableError],
    [new TypeError("Cannot read properties of undefined (reading 'result')"), VenueUnavailableError],
    [new AuthenticationError('bad signature'), VenueAuthError],
    [new PermissionDenied('no trading rights'), VenueAuthError],
    [new InsufficientFunds('Account has insufficient balance'), InsufficientFundsError],
    [new OrderNotFound('unknown order'), InvalidOrderError],
    [new InvalidOrder('LOT_SIZE'), InvalidOrderError],
    [new BadSymbol('no such market'), UnknownSymbolError],
    [new NotSupported('nope'), NotSupportedError],
    [new BadRequest('bad'), VenueRejectedError],
    // Unclassified: the request may have taken effect, so it is never a definite refusal.
    [new ExchangeError('something'), VenueUnavailableError],
  ];
  for (const [error, expected] of cases) {
    it(`${error.constructor.name} -> ${expected.name}`, () => {
      const mapped = mapCcxtError('binance', error, none, {op: 'createOrder', symbol: 'BTC/USDT'});
      expect(mapped).toBeInstanceOf(expected);
      expect(mapped.name).toBe(expected.name);
    });
  }

  it('while placing an order, a bad request is an invalid order (binance min-notional is BadRequest)', () => {
    expect(mapCcxtError('b', new BadRequest('Filter failure: NOTIONAL'), none, {placing: true})).toBeInstanceOf(InvalidOrderError);
    expect(mapCcxtError('b', new BadRequest('bad'), none)).not.toBeInstanceOf(InvalidOrderError);
    expect(mapCcxtError('b', new InsufficientFunds('x'), none, {placing: true})).toBeInstanceOf(InsufficientFundsError);
  });

  it('a definite refusal is not an unknown outcome, and vice versa', () => {
    expect(mapCcxtError('b', new InsufficientFunds('x'), none)).toBeInstanceOf(VenueRejectedError);
    expect(mapCcxtError('b', new RequestTimeout('x'), none)).not.toBeInstanceOf(VenueRejectedError);
  });

  it('exit codes: venue failures 4, unknown symbol 2', () => {
    expect(mapCcxtError('b', new RequestTimeout('x'), none).exitCode).toBe(ExitCode.venueFailed);
    expect(mapCcxtError('b', new BadSymbol('x'), none, {symbol: 'FOO/BAR'}).exitCode).toBe(ExitCode.usage);
  });

  it('keeps the retry-after hint and the original error as cause', () => {
    const original = new RateLimitExceeded('slow down');
    const mapped = mapCcxtError('b', original, none, {retryAfterMs: 2000}) as VenueUnavailableError;
    expect(mapped.retryAfterMs).toBe(2000);
    expect(mapped.cause).toBe(original);
  });

  it('never leaks secrets into messages, causes or stacks', () => {
    const scrub = makeScrubber(['my-api-key-123', 'S3cr3t/+=', undefined]);
    const error = new AuthenticationError('kraken POST https://x?key=my-api-key-123&s=S3cr3t%2F%2B%3D body S3cr3t/+=');
    const mapped = mapCcxtError('kraken', error, scrub);
    for (const text of [mapped.message, (mapped.cause as Error).message, (mapped.cause as Error).stack ?? '']) {
      expect(text).not.toContain('my-api-key-123');
      expect(text).not.toContain('S3cr3t');
    }
    expect(mapped.message).toContain('***');
  });

  it('recognises ccxt errors by their class chain', () => {
    expect(errorClassNames(new OnMaintenance('x')).slice(0, 3)).toEqual(['OnMaintenance', 'ExchangeNotAvailable', 'NetworkError']);
    expect(errorClassNames('text')).toEqual([]);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3', 0)).toBe(3000);
    expect(parseRetryAfter(1.5, 0)).toBe(1500);
    expect(parseRetryAfter('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
    expect(parseRetryAfter(undefined, 0)).toBeUndefined();
    expect(parseRetryAfter('soon', 0)).toBeUndefined();
  });
});

describe('URL rewriting', () => {
  it('replaces scheme and host, keeps paths, handles host templates and ports', () => {
    expect(rewriteUrl('https://api.binance.com/api/v3', {http: 'http://127.0.0.1:9000'})).toBe('http://127.0.0.1:9000/api/v3');
    expect(rewriteUrl('https://{hostname}', {http: 'http://127.0.0.1:9000/'})).toBe('http://127.0.0.1:9000');
    expect(rewriteUrl('wss://stream.binance.com:9443/ws', {ws: 'ws://127.0.0.1:9000'})).toBe('ws://127.0.0.1:9000/ws');
    expect(rewriteUrl('wss://stream.binance.com:9443/ws', {http: 'http://127.0.0.1:9000'})).toBeUndefined();
    expect(rewriteUrl('https://api.kraken.com', {http: 'https://gw.example/kraken'})).toBe('https://gw.example/kraken');
    expect(rewriteUrl('/relative', {http: 'http://x'})).toBeUndefined();
  });

  it('walks nested trees and maps request URLs back to the original host (longest prefix)', () => {
    const api = {public: 'https://api.binance.com/api/v3', sapi: 'https://api.binance.com/sapi/v1', fapiPublic: 'https://fapi.binance.com/fapi/v1', ws: {spot: 'wss://stream.binance.com:9443/ws'}, list: ['https://a.example/x']};
    const {value, pairs} = rewriteUrlTree(api, {http: 'http://127.0.0.1:1', ws: 'ws://127.0.0.1:2'});
    expect(value).toEqual({public: 'http://127.0.0.1:1/api/v3', sapi: 'http://127.0.0.1:1/sapi/v1', fapiPublic: 'http://127.0.0.1:1/fapi/v1', ws: {spot: 'ws://127.0.0.1:2/ws'}, list: ['http://127.0.0.1:1/x']});
    expect(api.public).toBe('https://api.binance.com/api/v3');
    expect(originalUrl('http://127.0.0.1:1/api/v3/order?x=1', pairs)).toBe('https://api.binance.com/api/v3/order?x=1');
    expect(originalUrl('http://127.0.0.1:1/fapi/v1/order', pairs)).toBe('https://fapi.binance.com/fapi/v1/order');
    expect(originalUrl('http://elsewhere/x', pairs)).toBe('http://elsewhere/x');
  });
});
