import type {RiskConfig} from '../../core/config/schema.js';
import {loadConfig, saveConfig, setPath} from '../../core/config/store.js';
import {UsageError} from '../../core/errors.js';
import {parseRiskAssignment} from '../../core/risk/assign.js';
import {XarbCommand} from '../../cli/base-command.js';

export interface RiskSetResult {
  readonly changed: readonly {readonly key: string; readonly value: string | number | null}[];
  readonly limits: RiskConfig;
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
    if (argv.length === 0) throw new UsageError('give at least one scope.limit=value', 'e.g. xarb risk set global.maxOrderAmount=1');
    const ctx = await this.context();
    const assignments = (argv as string[]).map((text) => parseRiskAssignment(text, ctx.venueNames()));
    let config = loadConfig(ctx.home);
    for (const a of assignments) config = setPath(config, a.path, a.value);
    await saveConfig(ctx.home, config);
    this.out(assignments.map((a) => (a.value === undefined ? `removed ${a.key}` : `${a.key} = ${a.value}`)).join('\n'));
    return {changed: assignments.map((a) => ({key: a.key, value: a.value ?? null})), limits: config.risk};
  }
}
