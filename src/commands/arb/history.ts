import type {ArbHistoryResult, ArbHistoryRow} from '../../core/arb/history.js';
import {loadArbHistory} from '../../core/arb/record.js';
import {XarbCommand} from '../../cli/base-command.js';
import {lineChart} from '../../ui/chart.js';
import {integerFlag, sinceFlag, sinceTime, symbolFlag} from '../../cli/flags.js';
import {fmt, fmtAge, fmtAmount, fmtMoneyIn} from '../../ui/format.js';
import {renderTable} from '../../ui/table.js';
import {historyJson, type ArbHistoryJson} from '../../ui/arb-json.js';

/** The --json contract (money as decimal strings, docs/arb.md). */
export type ArbHistoryCommandResult = ArbHistoryJson;

export default class ArbHistory extends XarbCommand<ArbHistoryCommandResult> {
  static override summary = 'Summarize the arbitrage opportunities recorded by arb scan';
  static override description = `Every opportunity \`xarb arb scan\` finds (also under --watch) is recorded: symbol, venues, size, net bps, first
and last sighting. This groups them per opportunity over a period: how often they appeared, how long they lived, how good
they got. With --symbol it also draws the best net edge over time for that symbol.`;

  static override examples = [
    '<%= config.bin %> arb history',
    '<%= config.bin %> arb history --since 24h --symbol BTC/USD',
    '<%= config.bin %> arb history --since 7d --json',
  ];

  static override flags = {
    since: sinceFlag({description: 'how far back to look (a duration, or a date: UTC unless an offset is given)', default: '1h'}),
    symbol: symbolFlag({description: 'only opportunities trading this symbol; adds a chart of its spread over time'}),
    limit: integerFlag({description: 'rows shown in the table (JSON has all)', default: 30, min: 1}),
  };

  static override demoNotice = false;

  async run(): Promise<ArbHistoryCommandResult> {
    const {flags} = await this.parse(ArbHistory);
    const ctx = await this.context();
    const now = ctx.clock.now();
    const result = loadArbHistory({db: ctx.db, clock: ctx.clock}, {since: sinceTime(flags.since, now), now, symbol: flags.symbol});
    if (!this.jsonEnabled()) this.render(result, flags.limit);
    return historyJson(result);
  }

  private render(result: ArbHistoryResult, limit: number): void {
    const c = this.chalk;
    const span = fmtAge(result.until - result.since);
    const lines: string[] = [];
    if (result.opportunities.length === 0) {
      lines.push(c.yellow(`No opportunity recorded in the last ${span}${result.symbol ? ` for ${result.symbol}` : ''}. Record some with: xarb arb scan --watch`));
      this.out(lines.join('\n'));
      return;
    }
    const rows = result.opportunities.slice(0, limit).map((r) => [
      describe(r),
      r.kind === 'cross' ? `${r.buyVenue} > ${r.sellVenue}` : r.buyVenue,
      String(r.episodes),
      String(r.sightings),
      time(r.firstSeen),
      time(r.lastSeen),
      fmtAge(r.totalLifetimeMs),
      fmtAge(r.longestLifetimeMs),
      fmt(r.bestNetBps, 1),
      fmt(r.avgNetBps, 1),
      fmtMoneyIn(r.bestNetProfit, r.quote),
      fmtAmount(Number(r.maxSize.toPrecision(8))),
    ]);
    lines.push(
      renderTable({
        head: ['opportunity', 'venues', 'episodes', 'seen', 'first seen UTC', 'last seen UTC', 'total life', 'longest', 'best bps', 'avg bps', 'best net', 'max size'],
        rows,
        color: this.color,
        align: ['left', 'left', 'right', 'right', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right'],
      }),
    );
    if (result.opportunities.length > limit) lines.push(c.dim(`${result.opportunities.length - limit} more (--limit, or --json for all)`));
    lines.push(c.dim(`${result.episodes} episode(s) in the last ${span}`));
    if (result.series) {
      const values = result.series.points.map((p) => p.netBps);
      lines.push('', `${c.bold(result.series.symbol)} best net edge over time (bps, ${fmtAge(result.series.bucketMs)} per column; gaps: no opportunity)`);
      lines.push(lineChart(values, {height: 8, unit: 'bps', format: (v) => v.toFixed(1), xLabels: [`${time(result.since)} UTC`, `${time(result.until)} UTC`]}));
    }
    this.out(lines.join('\n'));
  }
}

function describe(r: ArbHistoryRow): string {
  if (r.kind === 'triangular') return `${r.symbol}>${r.symbol.split('>')[0]}`;
  return r.quoteGroup ? `${r.symbol} > ${r.sellSymbol} [${r.quoteGroup}]` : r.symbol;
}

/** MM-DD HH:MM:SS in UTC (the table headers say so). */
function time(ms: number): string {
  return new Date(ms).toISOString().slice(5, 19).replace('T', ' ');
}
