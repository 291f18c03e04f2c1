import type {RiskConfig} from '../../core/config/schema.js';
import {riskStatus, type RiskStatus} from '../../core/risk/switch.js';
import {XarbCommand} from '../../cli/base-command.js';
import {fmtAmount, fmtMoneyIn} from '../../ui/format.js';
import {renderTable} from '../../ui/table.js';

export type RiskShowResult = RiskStatus;

/** Flattens the risk config into rows: scope, limit, value. */
export function limitRows(risk: RiskConfig): string[][] {
  const rows: string[][] = [];
  const add = (scope: string, set: Record<string, unknown> | undefined) => {
    for (const [k, v] of Object.entries(set ?? {})) rows.push([scope, k, String(v)]);
  };
  add('global', risk.global as Record<string, unknown> | undefined);
  for (const [venue, set] of Object.entries(risk.venues ?? {})) add(`venues.${venue}`, set as Record<string, unknown>);
  for (const [symbol, set] of Object.entries(risk.symbols ?? {})) add(`symbols.${symbol}`, set as Record<string, unknown>);
  for (const [asset, amount] of Object.entries(risk.reserves ?? {})) rows.push(['reserves', asset, amount]);
  return rows;
}

export default class RiskShow extends XarbCommand<RiskShowResult> {
  static override summary = 'Show the trading state, the risk limits and what is used of them today';
  static override examples = ['<%= config.bin %> risk show', '<%= config.bin %> risk show --json'];
  static override description = 'The trading state (active, reducing or halted) is read from the journal, so it is the one every xarb process sees. Limits come from the config (risk.global, risk.venues, risk.symbols, risk.reserves); usage counts open and in-flight orders and today\'s traded volume (UTC day).';

  async run(): Promise<RiskShowResult> {
    await this.parse(RiskShow);
    const ctx = await this.context();
    const result = riskStatus({db: ctx.db, clock: ctx.clock}, ctx.config);
    const {state, usage} = result;
    const c = this.chalk;
    const stateText = state.state === 'active' ? c.green('active') : state.state === 'halted' ? c.red('HALTED') : c.yellow('reducing');
    const lines = [`trading state: ${stateText}${state.reason ? ` (${state.reason})` : ''}${state.updatedAt ? ` since ${new Date(state.updatedAt).toISOString()}` : ''}`];
    const rows = limitRows(ctx.config.risk);
    lines.push(rows.length === 0 ? 'no risk limits set (see `xarb risk set --help`)' : renderTable({head: ['scope', 'limit', 'value'], rows, color: this.color}));
    lines.push(`notional and volume limits are in ${ctx.config.valuationQuote}; amounts and positions in base units`);
    if (usage.dailyVolume.length > 0) {
      lines.push(`traded today (${usage.day} UTC):`);
      lines.push(renderTable({head: ['venue', 'symbol', 'volume'], rows: usage.dailyVolume.map((r) => [r.venue, r.symbol, fmtMoneyIn(r.volume, r.quote)]), color: this.color}));
    }
    if (usage.open.length > 0) {
      lines.push('open and in-flight orders:');
      lines.push(renderTable({head: ['venue', 'symbol', 'side', 'orders', 'remaining'], rows: usage.open.map((r) => [r.venue, r.symbol, r.side, String(r.orders), fmtAmount(r.remaining)]), color: this.color}));
    }
    this.out(lines.join('\n'));
    return result;
  }
}
