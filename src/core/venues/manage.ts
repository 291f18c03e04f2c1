/**
 * Adding, changing and removing venues in the config. Pure functions over the
 * config value; the command saves the result (validated again on save).
 */
import {ConfigError, UnknownVenueError, UsageError} from '../errors.js';
import {optionProblems, PROTOTYPE_KEYS, showValue, type VenueConfig, type XarbConfig} from '../config/schema.js';
import {setPath} from '../config/store.js';
import {isKnownExchange, suggestExchanges} from './catalog.js';
import {loadCredentials} from '../config/secrets.js';
import {DEMO_VENUE_NAMES, demoProfile} from './sim/demo.js';

export interface AddVenueInput {
  readonly exchange: string;
  readonly name?: string;
  readonly mode?: 'paper' | 'live';
  readonly sandbox?: boolean;
  readonly apiBaseUrl?: string;
  readonly wsBaseUrl?: string;
  readonly priority?: number;
  readonly allocation?: number;
  readonly options?: Record<string, unknown>;
  /** Starting balances of a paper venue (decimal strings by asset). */
  readonly paperBalances?: Readonly<Record<string, string>>;
}

type AnyConfig = Partial<XarbConfig> | Record<string, unknown>;

function venuesOf(config: AnyConfig): Record<string, VenueConfig> {
  const venues = (config as {venues?: unknown}).venues;
  return typeof venues === 'object' && venues !== null ? (venues as Record<string, VenueConfig>) : {};
}

export function addVenue<C extends AnyConfig>(config: C, input: AddVenueInput): {config: C; name: string; venue: VenueConfig} {
  const exchange = input.exchange.toLowerCase();
  checkExchangeId(exchange);
  const name = (input.name ?? exchange).toLowerCase();
  if (venuesOf(config)[name]) throw new UsageError(`venue ${name} already exists`, `change it with \`xarb exchanges set ${name} key=value\` or pick another --name`);
  if (input.paperBalances && (input.mode ?? 'paper') !== 'paper') throw new UsageError('--paper-balance funds a paper venue; this one is live', 'drop --paper-balance, or add the venue in paper mode');
  // `sim` under a demo venue's name recreates that demo venue (seed, dialect, balances, priority, allocation).
  const demo = exchange === 'sim' ? demoProfile()[name] : undefined;
  const venue: VenueConfig = {
    ...(demo ?? {}),
    exchange,
    // New venues start in paper mode: live trading is an explicit choice.
    mode: input.mode ?? 'paper',
    ...(input.sandbox ? {sandbox: true} : {}),
    ...(input.apiBaseUrl ? {apiBaseUrl: input.apiBaseUrl} : {}),
    ...(input.wsBaseUrl ? {wsBaseUrl: input.wsBaseUrl} : {}),
    ...(input.priority !== undefined ? {priority: input.priority} : {}),
    ...(input.allocation !== undefined ? {allocation: input.allocation} : {}),
    ...(input.options && Object.keys(input.options).length > 0 ? {options: input.options} : {}),
    ...(input.paperBalances ? {paperBalances: {...input.paperBalances}} : {}),
  };
  return {config: {...config, venues: {...venuesOf(config), [name]: venue}}, name, venue};
}

/**
 * `xarb exchanges add demo`: the built-in demo venues, exactly as the demo
 * profile defines them. Refused when any of their names is taken, so a
 * changed venue is never silently replaced.
 */
export function addDemoVenues<C extends AnyConfig>(config: C): {config: C; names: readonly string[]} {
  const taken = DEMO_VENUE_NAMES.filter((n) => venuesOf(config)[n]);
  if (taken.length > 0) throw new UsageError(`venue ${taken.join(', ')} already exists`, `remove it first (\`xarb exchanges remove ${taken[0]}\`) to re-add the demo venues exactly`);
  return {config: {...config, venues: {...venuesOf(config), ...demoProfile()}}, names: DEMO_VENUE_NAMES};
}

export function removeVenue<C extends AnyConfig>(config: C, name: string): C {
  if (!venuesOf(config)[name]) throw new UnknownVenueError(name, Object.keys(venuesOf(config)));
  const venues = {...venuesOf(config)};
  delete venues[name];
  return {...config, venues};
}

/** Parses key=value; values are JSON when they parse as JSON, else strings. */
export function parseAssignment(text: string): {key: string; value: unknown} {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`expected key=value, got ${JSON.stringify(text)}`);
  const key = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1);
  return {key, value: parseValue(raw)};
}

export function parseValue(raw: string): unknown {
  if (raw === '') return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

const SECRET_KEYS = /(^|\.)(apikey|secret|password|privatekey|uid)$/i;

/** Refuses a dotted key with an empty part or a part that would reach a prototype. */
export function checkDottedKey(key: string, what: string): string[] {
  const parts = key.split('.');
  if (parts.some((part) => part === '' || PROTOTYPE_KEYS.has(part))) throw new UsageError(`${what} ${showValue(key)} is not allowed`, 'keys are names joined by dots; __proto__, constructor and prototype are refused');
  return parts;
}

/** Refuses an exchange id that is neither a ccxt exchange nor sim, with near names as the hint. */
export function checkExchangeId(exchange: string): void {
  if (isKnownExchange(exchange)) return;
  const near = suggestExchanges(exchange);
  throw new UsageError(`unknown exchange ${showValue(exchange)}`, near.length > 0 ? `did you mean: ${near.join(', ')}?` : 'use a ccxt exchange id such as binance, kraken, okx, coinbase, bybit, or sim');
}

/**
 * Parses repeated `--option key=value` flags into ccxt constructor options
 * (dotted keys nest). Refused at once: prototype keys, URLs other than
 * http(s)/ws(s), secrets and verbose mode.
 */
export function parseOptionFlags(texts: readonly string[]): Record<string, unknown> {
  let options: Record<string, unknown> = {};
  for (const text of texts) {
    const {key, value} = parseAssignment(text);
    options = setPath(options, checkDottedKey(key, 'option').join('.'), value);
  }
  const problems = optionProblems(options);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `--option ${p.path.join('.')} ${p.message}`), 'ccxt options are key=value; URLs must start with http://, https://, ws:// or wss://');
  return options;
}

export function setVenueFields<C extends AnyConfig>(config: C, name: string, assignments: readonly string[]): C {
  if (!venuesOf(config)[name]) throw new UnknownVenueError(name, Object.keys(venuesOf(config)));
  let venue: unknown = venuesOf(config)[name];
  for (const text of assignments) {
    const {key, value} = parseAssignment(text);
    checkDottedKey(key, 'key');
    if (key === 'exchange') checkExchangeId(String(value));
    if (SECRET_KEYS.test(key)) throw new ConfigError([`${key}: secrets are not stored in the config`], `set XARB_${name.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_API_KEY and _SECRET in the environment, or keysFile to a 0600 file`);
    venue = setPath(venue, key, value);
  }
  return {...config, venues: {...venuesOf(config), [name]: venue as VenueConfig}};
}

/**
 * Checks that need more than the config's shape: the keys file is private
 * and readable, and a sandbox exists for the exchange. Run when a venue is
 * added or changed, so a setting that would break every later run is refused
 * at once.
 */
export async function checkVenueUsable(name: string, venue: VenueConfig, env: NodeJS.ProcessEnv): Promise<void> {
  if (venue.keysFile) loadCredentials(name, venue, env);
  if (venue.sandbox && venue.exchange !== 'sim') {
    const {loadExchangeClass} = await import('./ccxt/load.js');
    const Exchange = await loadExchangeClass(venue.exchange);
    const urls = (new Exchange() as unknown as {urls?: {test?: unknown}}).urls;
    if (!urls?.test) throw new UsageError(`${venue.exchange} has no sandbox (testnet) in ccxt`, 'leave sandbox off; for a test server use --api-base-url');
  }
}
