/**
 * Progress of fan-out work, venue by venue, for a display the caller owns.
 * reportingVenue() wraps a Venue so that every call it receives is counted:
 * the first call of a venue reports `asked`; when none of its calls is in
 * flight any more it reports `answered`, or `failed` when one of them failed
 * (a capability the venue does not have is not a failure). Wrapping changes
 * nothing else: every call and its result or error pass through unchanged.
 */
import {NotSupportedError} from '../errors.js';
import type {Venue} from './port.js';

export type VenuePhase = 'asked' | 'answered' | 'failed';
export type VenueProgress = (venue: string, phase: VenuePhase) => void;

export function reportingVenue(venue: Venue, onProgress: VenueProgress): Venue {
  const id = venue.info.id;
  let pending = 0;
  let failed = false;
  let asked = false;
  const settle = (ok: boolean) => {
    if (!ok) failed = true;
    if (--pending === 0) onProgress(id, failed ? 'failed' : 'answered');
  };
  return new Proxy(venue, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (typeof value !== 'function' || prop === 'close' || prop === 'constructor') return value;
      return (...args: unknown[]) => {
        const result = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (!(result instanceof Promise)) return result;
        if (!asked) {
          asked = true;
          onProgress(id, 'asked');
        }
        pending++;
        result.then(
          () => settle(true),
          (error: unknown) => settle(error instanceof NotSupportedError),
        );
        return result;
      };
    },
  });
}
