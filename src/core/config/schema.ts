/**
 * The shape of xarb's config file ($XARB_HOME/config.json) and its
 * validation. Validation reports every bad field at once (ConfigError).
 * Secrets are never part of the config: they come from the environment or a
 * 0600 file named by `keysFile` (see secrets.ts).
 */
import {ConfigError} from '../errors.js';
import type {ExecutionMode} from '../types.js';

export interface FeeOverride {
  /** Fractions: 0.001 = 10 bps. */
  readonly taker?: number;
  readonly maker?: number;
}

export interface WithdrawPolicy {
  /** Withdrawals are refused unless this is true. */
  readonly enabled: boolean;
  /** Allowed destination addresses: asset -> list of {address, network?, tag?}. */
  readonly allowlist?: Readonly<Record<string, readonly {address: string; network?: string; tag?: string}[]>>;
}

export interface VenueConfig {
  /** A ccxt exchange id (binance, kraken, okx, ...) or `sim` for a simulated venue. */
  readonly exchange: string;
  readonly mode: ExecutionMode;
  readonly sandbox?: boolean;
  /** Replaces scheme and host of every REST URL of the exchange, paths kept. */
  readonly apiBaseUrl?: string;
  readonly wsBaseUrl?: string;
  /** Passed through to the ccxt constructor. */
  readonly options?: Readonly<Record<string, unknown>>;
  /** Lower runs first for --route priority. */
  readonly priority?: number;
  /** Target share of the portfolio, percent. */
  readonly allocation?: number;
  /** The user's fee tier, overriding market metadata. */
  readonly fees?: FeeOverride;
  /** Path to a JSON file ({apiKey, secret, password?}) with 0600 permissions. */
  readonly keysFile?: string;
  readonly withdraw?: WithdrawPolicy;
  /** For `exchange: sim`: the seed and native symbol dialect. */
  readonly sim?: {readonly seed?: number; readonly dialect?: string};
  /** Request timeout in ms (default 10000). */
  readonly timeoutMs?: number;
  /** Market metadata cache TTL in seconds (default 3600). */
  readonly marketsTtlSec?: number;
  /** Starting balances of a paper-mode venue (asset -> decimal string), applied once when it has none. */
  readonly paperBalances?: Readonly<Record<string, string>>;
  /** Place live orders even where our client id cannot round-trip (a lost answer could then leave a duplicate). */
  readonly allowLiveWithoutIdempotency?: boolean;
}

export interface RiskLimitSet {
  readonly maxOrderAmount?: string;
  readonly maxOrderNotional?: string;
  readonly maxPosition?: string;
  readonly maxDailyVolume?: string;
  /** Percent of portfolio value. */
  readonly maxExposurePct?: number;
  readonly maxOpenOrders?: number;
  /** Percent distance of a limit price from the mid. */
  readonly priceBandPct?: number;
}

export interface RiskConfig {
  readonly global?: RiskLimitSet & {readonly maxTotalExposurePct?: number};
  readonly venues?: Readonly<Record<string, RiskLimitSet>>;
  readonly symbols?: Readonly<Record<string, RiskLimitSet>>;
  /** Minimum balance to keep per asset (decimal strings), never spent by orders or transfers. */
  readonly reserves?: Readonly<Record<string, string>>;
}

export interface ArbConfig {
  /** On a one-legged fill: unwind the filled leg, or hedge the remainder at market. */
  readonly legPolicy?: 'unwind' | 'hedge';
  /** Maximum loss accepted by the leg policy, in quote currency. */
  readonly maxLegLoss?: string;
}

export interface JournalRetentionConfig {
  /** Days to keep; 0 keeps forever. Defaults in core/journal/maintenance.ts (DEFAULT_RETENTION). */
  readonly priceSnapshotsDays?: number;
  readonly arbObservationsDays?: number;
  readonly latencyDays?: number;
  readonly balanceSnapshotsDays?: number;
}

export interface JournalConfig {
  /** Written by xarb when the journal is first created: a missing journal is then refused, not started over. */
  readonly id?: string;
  readonly createdAt?: string;
  readonly retention?: JournalRetentionConfig;
  /** Apply retention automatically at most once a day (default true). */
  readonly autoPrune?: boolean;
}

export interface XarbConfig {
  readonly venues: Readonly<Record<string, VenueConfig>>;
  readonly risk: RiskConfig;
  readonly arb: ArbConfig;
  /** Default quote for valuation. */
  readonly valuationQuote: string;
  /** Asset targets for rebalance, percent. */
  readonly assetTargets?: Readonly<Record<string, number>>;
  /** Rebalance threshold in percentage points. */
  readonly rebalanceThreshold?: number;
  readonly journal?: JournalConfig;
  /** Where market data comes from: a NATS URL (nats://host:4222) reads the collectors' bus instead of the venues. */
  readonly market?: {readonly source?: string};
}

export const defaultConfig: XarbConfig = {venues: {}, risk: {}, arb: {legPolicy: 'unwind'}, valuationQuote: 'USD'};

const VENUE_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkDecimalField(problems: string[], path: string, value: unknown): void {
  if (value === undefined) return;
  if (typeof value !== 'string' && typeof value !== 'number') problems.push(`${path} must be a number`);
  else if (!/^\d+(\.\d+)?$/.test(String(value))) problems.push(`${path} must be a non-negative number, got ${JSON.stringify(value)}`);
}

function checkNumber(problems: string[], path: string, value: unknown, lo: number, hi: number): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < lo || value > hi) problems.push(`${path} must be a number from ${lo} to ${hi}, got ${JSON.stringify(value)}`);
}

function checkUrl(problems: string[], path: string, value: unknown, schemes: readonly string[]): void {
  if (value === undefined) return;
  try {
    const url = new URL(String(value));
    if (!schemes.includes(url.protocol)) problems.push(`${path} must use ${schemes.join(' or ')}, got ${url.protocol}`);
  } catch {
    problems.push(`${path} is not a URL: ${JSON.stringify(value)}`);
  }
}

function checkLimits(problems: string[], path: string, raw: unknown): void {
  if (raw === undefined) return;
  if (!isObject(raw)) {
    problems.push(`${path} must be an object`);
    return;
  }
  const known = new Set(['maxOrderAmount', 'maxOrderNotional', 'maxPosition', 'maxDailyVolume', 'maxExposurePct', 'maxOpenOrders', 'priceBandPct', 'maxTotalExposurePct']);
  for (const key of Object.keys(raw)) if (!known.has(key)) problems.push(`${path}.${key} is not a risk limit`);
  for (const key of ['maxOrderAmount', 'maxOrderNotional', 'maxPosition', 'maxDailyVolume']) checkDecimalField(problems, `${path}.${key}`, raw[key]);
  checkNumber(problems, `${path}.maxExposurePct`, raw.maxExposurePct, 0, 100);
  checkNumber(problems, `${path}.maxTotalExposurePct`, raw.maxTotalExposurePct, 0, 10_000);
  checkNumber(problems, `${path}.priceBandPct`, raw.priceBandPct, 0, 100);
  if (raw.maxOpenOrders !== undefined && (!Number.isInteger(raw.maxOpenOrders) || (raw.maxOpenOrders as number) < 0)) problems.push(`${path}.maxOpenOrders must be a whole number >= 0`);
}

const VENUE_KEYS = new Set(['exchange', 'mode', 'sandbox', 'apiBaseUrl', 'wsBaseUrl', 'options', 'priority', 'allocation', 'fees', 'keysFile', 'withdraw', 'sim', 'timeoutMs', 'marketsTtlSec', 'paperBalances', 'allowLiveWithoutIdempotency']);
const TOP_KEYS = new Set(['venues', 'risk', 'arb', 'valuationQuote', 'assetTargets', 'rebalanceThreshold', 'journal', 'market']);
const JOURNAL_KEYS = new Set(['id', 'createdAt', 'retention', 'autoPrune']);
const RETENTION_KEYS = new Set(['priceSnapshotsDays', 'arbObservationsDays', 'latencyDays', 'balanceSnapshotsDays']);
const RISK_KEYS = new Set(['global', 'venues', 'symbols', 'reserves']);
const ARB_KEYS = new Set(['legPolicy', 'maxLegLoss']);

/** A misspelt key would be saved and silently ignored (a risk limit that does nothing): refuse it. */
function checkKeys(problems: string[], path: string, raw: Record<string, unknown>, known: ReadonlySet<string>): void {
  for (const key of Object.keys(raw)) {
    if (!known.has(key)) problems.push(`${path ? `${path}.` : ''}${key} is not a known setting (known: ${[...known].join(', ')})`);
  }
}

function validateVenue(problems: string[], name: string, raw: unknown): void {
  const path = `venues.${name}`;
  if (!VENUE_NAME.test(name)) problems.push(`${path}: venue names are lowercase letters, digits, - and _ (at most 40)`);
  if (!isObject(raw)) {
    problems.push(`${path} must be an object`);
    return;
  }
  checkKeys(problems, path, raw, VENUE_KEYS);
  if (typeof raw.exchange !== 'string' || !/^[a-z0-9]+$/.test(raw.exchange)) problems.push(`${path}.exchange must be a ccxt exchange id or sim`);
  if (raw.mode !== 'paper' && raw.mode !== 'live') problems.push(`${path}.mode must be paper or live`);
  if (raw.sandbox !== undefined && typeof raw.sandbox !== 'boolean') problems.push(`${path}.sandbox must be true or false`);
  if (raw.allowLiveWithoutIdempotency !== undefined && typeof raw.allowLiveWithoutIdempotency !== 'boolean') problems.push(`${path}.allowLiveWithoutIdempotency must be true or false`);
  checkUrl(problems, `${path}.apiBaseUrl`, raw.apiBaseUrl, ['http:', 'https:']);
  checkUrl(problems, `${path}.wsBaseUrl`, raw.wsBaseUrl, ['ws:', 'wss:']);
  if (raw.options !== undefined && !isObject(raw.options)) problems.push(`${path}.options must be an object`);
  if (isObject(raw.options)) {
    for (const key of ['apiKey', 'secret', 'password', 'privateKey', 'uid', 'walletAddress', 'token']) {
      if (key in raw.options) problems.push(`${path}.options.${key}: secrets do not belong in the config; use XARB_<VENUE>_API_KEY/_SECRET/_PASSWORD or keysFile`);
    }
    // ccxt's verbose mode prints every signed request, keys included.
    if (raw.options.verbose !== undefined && raw.options.verbose !== false) problems.push(`${path}.options.verbose would print signed requests including API keys; it is not allowed`);
  }
  checkNumber(problems, `${path}.priority`, raw.priority, -1e6, 1e6);
  checkNumber(problems, `${path}.allocation`, raw.allocation, 0, 100);
  checkNumber(problems, `${path}.timeoutMs`, raw.timeoutMs, 1, 600_000);
  checkNumber(problems, `${path}.marketsTtlSec`, raw.marketsTtlSec, 0, 30 * 86_400);
  if (raw.fees !== undefined) {
    if (!isObject(raw.fees)) problems.push(`${path}.fees must be an object`);
    else {
      checkNumber(problems, `${path}.fees.taker`, raw.fees.taker, -0.01, 0.1);
      checkNumber(problems, `${path}.fees.maker`, raw.fees.maker, -0.01, 0.1);
    }
  }
  if (raw.keysFile !== undefined && typeof raw.keysFile !== 'string') problems.push(`${path}.keysFile must be a path`);
  if (raw.withdraw !== undefined && (!isObject(raw.withdraw) || typeof raw.withdraw.enabled !== 'boolean')) problems.push(`${path}.withdraw must be {enabled: true|false, allowlist?}`);
  if (raw.sim !== undefined && !isObject(raw.sim)) problems.push(`${path}.sim must be an object`);
  if (raw.paperBalances !== undefined) {
    if (!isObject(raw.paperBalances)) problems.push(`${path}.paperBalances must be an object of asset -> amount`);
    else for (const [asset, amount] of Object.entries(raw.paperBalances)) checkDecimalField(problems, `${path}.paperBalances.${asset}`, amount);
  }
}

function validateJournal(problems: string[], raw: unknown): void {
  if (raw === undefined) return;
  if (!isObject(raw)) {
    problems.push('journal must be an object');
    return;
  }
  checkKeys(problems, 'journal', raw, JOURNAL_KEYS);
  if (raw.id !== undefined && (typeof raw.id !== 'string' || !/^[0-9a-f-]{8,64}$/i.test(raw.id))) problems.push('journal.id must be the id xarb wrote');
  if (raw.createdAt !== undefined && (typeof raw.createdAt !== 'string' || Number.isNaN(Date.parse(raw.createdAt)))) problems.push('journal.createdAt must be an ISO date');
  if (raw.autoPrune !== undefined && typeof raw.autoPrune !== 'boolean') problems.push('journal.autoPrune must be true or false');
  if (raw.retention === undefined) return;
  if (!isObject(raw.retention)) {
    problems.push('journal.retention must be an object');
    return;
  }
  checkKeys(problems, 'journal.retention', raw.retention, RETENTION_KEYS);
  for (const key of RETENTION_KEYS) {
    const value = raw.retention[key];
    if (value !== undefined && (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 36_500)) problems.push(`journal.retention.${key} must be a whole number of days from 0 (keep forever) to 36500, got ${JSON.stringify(value)}`);
  }
}

/** Validates a parsed config file, returning it typed or throwing ConfigError listing every problem. */
export function validateConfig(raw: unknown): XarbConfig {
  const problems: string[] = [];
  if (!isObject(raw)) throw new ConfigError(['the config must be a JSON object']);
  checkKeys(problems, '', raw, TOP_KEYS);
  const venues = raw.venues ?? {};
  if (!isObject(venues)) problems.push('venues must be an object');
  else for (const [name, venue] of Object.entries(venues)) validateVenue(problems, name, venue);
  const risk = raw.risk ?? {};
  if (!isObject(risk)) problems.push('risk must be an object');
  else {
    checkKeys(problems, 'risk', risk, RISK_KEYS);
    checkLimits(problems, 'risk.global', risk.global);
    for (const group of ['venues', 'symbols'] as const) {
      const entries = risk[group];
      if (entries === undefined) continue;
      if (!isObject(entries)) problems.push(`risk.${group} must be an object`);
      else for (const [key, limits] of Object.entries(entries)) checkLimits(problems, `risk.${group}.${key}`, limits);
    }
    if (risk.reserves !== undefined) {
      if (!isObject(risk.reserves)) problems.push('risk.reserves must be an object of asset -> amount');
      else for (const [asset, amount] of Object.entries(risk.reserves)) checkDecimalField(problems, `risk.reserves.${asset}`, amount);
    }
  }
  const arb = raw.arb ?? {};
  if (!isObject(arb)) problems.push('arb must be an object');
  else {
    checkKeys(problems, 'arb', arb, ARB_KEYS);
    if (arb.legPolicy !== undefined && arb.legPolicy !== 'unwind' && arb.legPolicy !== 'hedge') problems.push('arb.legPolicy must be unwind or hedge');
    checkDecimalField(problems, 'arb.maxLegLoss', arb.maxLegLoss);
  }
  if (raw.valuationQuote !== undefined && (typeof raw.valuationQuote !== 'string' || !/^[A-Z0-9]{2,10}$/.test(raw.valuationQuote))) problems.push('valuationQuote must be an asset code such as USD');
  if (raw.assetTargets !== undefined) {
    if (!isObject(raw.assetTargets)) problems.push('assetTargets must be an object of asset -> percent');
    else for (const [asset, pct] of Object.entries(raw.assetTargets)) checkNumber(problems, `assetTargets.${asset}`, pct, 0, 100);
  }
  checkNumber(problems, 'rebalanceThreshold', raw.rebalanceThreshold, 0, 100);
  validateJournal(problems, raw.journal);
  if (raw.market !== undefined) {
    if (!isObject(raw.market)) problems.push('market must be an object');
    else {
      checkKeys(problems, 'market', raw.market, new Set(['source']));
      checkUrl(problems, 'market.source', raw.market.source, ['nats:']);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return {
    ...defaultConfig,
    ...(raw as object),
    venues: venues as XarbConfig['venues'],
    risk: risk as RiskConfig,
    arb: {...defaultConfig.arb, ...(arb as ArbConfig)},
  } as XarbConfig;
}
