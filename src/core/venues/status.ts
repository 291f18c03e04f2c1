/**
 * Venue status for `xarb exchanges`: whether the venue answers, how fast,
 * its rate limit, sandbox/paper/live, whether keys are present (never the
 * keys), priority and capital allocation. Checks run in parallel, each
 * bounded by a timeout.
 */
import type {VenueConfig} from '../config/schema.js';
import {hasCredentials} from '../config/secrets.js';
import {XarbError} from '../errors.js';
import type {Clock} from '../types.js';
import type {Venue} from './port.js';

export interface VenueStatus {
  readonly name: string;
  readonly exchange: string;
  readonly simulated: boolean;
  readonly mode: 'paper' | 'live';
  readonly sandbox: boolean;
  readonly apiBaseUrl?: string;
  readonly keys: boolean;
  readonly priority?: number;
  readonly allocation?: number;
  readonly reachable?: boolean;
  readonly latencyMs?: number;
  readonly rateLimitMs?: number;
  readonly markets?: number;
  readonly error?: string;
}

export function describeVenue(name: string, config: VenueConfig, env: NodeJS.ProcessEnv): VenueStatus {
  return {
    name,
    exchange: config.exchange,
    simulated: config.exchange === 'sim',
    mode: config.mode,
    sandbox: config.sandbox ?? false,
    apiBaseUrl: config.apiBaseUrl,
    keys: hasCredentials(name, config, env),
    priority: config.priority,
    allocation: config.allocation,
  };
}

/** Loads markets and times one top-of-book request. */
export async function checkVenue(base: VenueStatus, open: () => Promise<Venue>, clock: Clock, timeoutMs: number): Promise<VenueStatus> {
  const started = clock.now();
  const attempt = (async () => {
    const venue = await open();
    const markets = await venue.loadMarkets();
    const probe = markets.find((m) => m.active) ?? markets[0];
    const t0 = clock.now();
    if (probe) await venue.fetchQuotes([probe.symbol]);
    return {markets: markets.length, latencyMs: clock.now() - t0, rateLimitMs: venue.info.rateLimitMs};
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const result = await Promise.race([attempt, timeout]);
    return {...base, reachable: true, ...result};
  } catch (error) {
    const message = error instanceof XarbError || error instanceof Error ? error.message : String(error);
    return {...base, reachable: false, latencyMs: clock.now() - started, error: message};
  } finally {
    clearTimeout(timer);
  }
}
