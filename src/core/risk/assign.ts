/**
 * `xarb risk set scope.limit=value`: parsing one assignment into a config
 * path under `risk` and a typed value. Everything is refused at the moment it
 * is typed (UsageError, exit 2): an unknown scope, a venue that is not
 * configured, a limit that does not exist, a value of the wrong kind.
 */
import {UsageError} from '../errors.js';
import {showValue} from '../config/schema.js';
import {normalizeSymbol} from '../symbols/index.js';

export const DECIMAL_LIMITS: ReadonlySet<string> = new Set(['maxOrderAmount', 'maxOrderNotional', 'maxPosition', 'maxDailyVolume']);
export const NUMBER_LIMITS: ReadonlySet<string> = new Set(['maxExposurePct', 'maxTotalExposurePct', 'priceBandPct', 'maxOpenOrders']);

export interface RiskAssignment {
  /** Dotted config path, e.g. risk.venues.binance.maxOpenOrders. */
  readonly path: string;
  /** The key as typed. */
  readonly key: string;
  /** undefined removes the limit. */
  readonly value: string | number | undefined;
}

/** Parses `scope.limit=value`; `knownVenues` are the venue names a venues.<venue> scope may use. */
export function parseRiskAssignment(text: string, knownVenues: readonly string[]): RiskAssignment {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`expected key=value, got ${showValue(text)}`, 'e.g. xarb risk set global.maxOrderAmount=1 venues.simbit.maxOpenOrders=5 reserves.USD=100');
  const key = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1).trim();
  const parts = key.split('.');
  let path: string[];
  let limit: string;
  if (parts[0] === 'global' && parts.length === 2) [path, limit] = [['global'], parts[1]!];
  else if (parts[0] === 'venues' && parts.length === 3) [path, limit] = [['venues', parts[1]!.toLowerCase()], parts[2]!];
  else if (parts[0] === 'symbols' && parts.length === 3) [path, limit] = [['symbols', normalizeSymbol(parts[1]!)], parts[2]!];
  else if (parts[0] === 'reserves' && parts.length === 2) [path, limit] = [['reserves'], parts[1]!.toUpperCase()];
  else throw new UsageError(`unknown risk key ${showValue(key)}`, 'keys are global.<limit>, venues.<venue>.<limit>, symbols.<symbol>.<limit> or reserves.<ASSET>');
  if (parts[0] === 'venues' && !knownVenues.includes(path[1]!)) {
    throw new UsageError(`unknown venue ${showValue(path[1])} in ${showValue(key)}`, `configured venues: ${knownVenues.join(', ') || '(none)'}`);
  }
  if (parts[0] !== 'reserves' && !DECIMAL_LIMITS.has(limit) && !NUMBER_LIMITS.has(limit)) {
    throw new UsageError(`${showValue(limit)} is not a risk limit`, `limits: ${[...DECIMAL_LIMITS, ...NUMBER_LIMITS].join(', ')}`);
  }
  if (parts[0] === 'reserves' && !/^[A-Z0-9]{2,10}$/.test(limit)) throw new UsageError(`${showValue(parts[1])} is not an asset code`, 'e.g. reserves.USD=1000');
  const full = ['risk', ...path, limit].join('.');
  if (raw === '') return {path: full, key, value: undefined};
  if (parts[0] === 'reserves' || DECIMAL_LIMITS.has(limit)) {
    if (!/^\d+(\.\d+)?$/.test(raw)) throw new UsageError(`${key} must be a non-negative number, got ${showValue(raw)}`);
    return {path: full, key, value: raw};
  }
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw) || !Number.isFinite(n)) throw new UsageError(`${key} must be a non-negative number, got ${showValue(raw)}`);
  if (limit === 'maxOpenOrders' && !Number.isInteger(n)) throw new UsageError(`${key} must be a whole number, got ${showValue(raw)}`);
  return {path: full, key, value: n};
}
