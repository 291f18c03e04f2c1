import type {RiskConfig} from '../../core/config/schema.js';
import {loadConfig, saveConfig, setPath} from '../../core/config/store.js';
import {UsageError} from '../../core/errors.js';
import {normalizeSymbol} from '../../core/symbols/index.js';
import {XarbCommand} from '../../cli/base-command.js';
import {parseInteger, parsePositiveNumber, quoteInput} from '../../cli/flags.js';

export interface RiskSetResult {
  readonly changed: readonly {readonly key: string; readonly value: string | number | null}[];
  readonly limits: RiskConfig;
}

const DECIMAL_LIMITS = new Set(['maxOrderAmount', 'maxOrderNotional', 'maxPosition', 'maxDailyVolume']);
const NUMBER_LIMITS = new Set(['maxExposurePct', 'maxTotalExposurePct', 'priceBandPct', 'maxOpenOrders']);

/** Parses `scope.limit=value` into a config path under `risk` and a typed value (undefined removes). */
export function parseAssignment(text: string): {path: string; key: string; value: string | number | undefined} {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`expected key=value, got ${JSON.stringify(text)}`, 'e.g. xarb risk set global.maxOrderAmount=1 venues.simbit.maxOpenOrders=5 reserves.USD=100');
  const key = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1).trim();
  const parts = key.split('.');
  let path: string[];
  let limit: string;
  if (parts[0] === 'global' && parts.length === 2) [path, limit] = [['global'], parts[1]!];
  else if (parts[0] === 'venues' && parts.length === 3) [path, limit] = [['venues', parts[1]!.toLowerCase()], parts[2]!];
  else if (parts[0] === 'symbols' && parts.length === 3) [path, limit] = [['symbols', normalizeSymbol(parts[1]!)], parts[2]!];
  else if (parts[0] === 'reserves' && parts.length === 2) [path, limit] = [['reserves'], parts[1]!.toUpperCase()];
  else throw new UsageError(`unknown risk key ${JSON.stringify(key)}`, 'keys are global.<limit>, venues.<venue>.<limit>, symbols.<symbol>.<limit> or reserves.<ASSET>');
  const full = ['risk', ...path, limit].join('.');
  if (raw === '') return {path: full, key, value: undefined};
  if (parts[0] === 'reserves' || DECIMAL_LIMITS.has(limit)) {
    if (!/^\d+(\.\d+)?$/.test(raw)) throw new UsageError(`${key} must be a non-negative number, got ${quoteInput(raw)}`);
    return {path: full, key, value: raw};
  }
  if (NUMBER_LIMITS.has(limit)) {
    return {path: full, key, value: limit === 'maxOpenOrders' ? parseInteger(raw, key) : parsePositiveNumber(raw, key, {allowZero: true})};
  }
  throw new UsageError(`${limit} is not a risk limit`, `limits: ${[...DECIMAL_LIMITS, ...NUMBER_LIMITS].join(', ')}`);
}

export default class RiskSet extends XarbCommand<RiskSetResult> {
  static override demoNotice = false;
  static override summary = 'Set or remove risk limits: scope.limit=value ... (empty value removes)';
  static override description = `Scopes: global.<limit>, venues.<venue>.<limit>, symbols.<symbol>.<limit>, reserves.<ASSET>.
Limits: maxOrderAmount, maxPosition (base units); maxOrderNotional, maxDailyVolume (valuation quote, USD by default);
maxExposurePct (per venue, or per asset in a symbol scope), maxTotalExposurePct (global), priceBandPct (percent from the
mid), maxOpenOrders. The whole config is validated before it is written.`;

  static override examples = [
    '<%= config.bin %> risk set global.maxOrderNotional=25000 global.priceBandPct=2',
    '<%= config.bin %> risk set venues.binance.maxOpenOrders=20 symbols.BTC/USD.maxPosition=1.5',
    '<%= config.bin %> risk set reserves.USD=1000',
    '<%= config.bin %> risk set global.maxDailyVolume=',
  ];
  static override strict = false;

  async run(): Promise<RiskSetResult> {
    const {argv} = await this.parse(RiskSet);
    const assignments = (argv as string[]).map(parseAssignment);
    if (assignments.length === 0) throw new UsageError('give at least one scope.limit=value', 'e.g. xarb risk set global.maxOrderAmount=1');
    const ctx = await this.context();
    let config = loadConfig(ctx.home);
    for (const a of assignments) config = setPath(config, a.path, a.value);
    await saveConfig(ctx.home, config);
    this.out(assignments.map((a) => (a.value === undefined ? `removed ${a.key}` : `${a.key} = ${a.value}`)).join('\n'));
    return {changed: assignments.map((a) => ({key: a.key, value: a.value ?? null})), limits: config.risk};
  }
}
