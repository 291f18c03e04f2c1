import {once} from 'node:events';
import {createWriteStream} from 'node:fs';
import {resolve} from 'node:path';
import type {Writable} from 'node:stream';
import {Args, Flags} from '@oclif/core';
import {UsageError} from '../core/errors.js';
import {EXPORT_KINDS, exportJournal, pnlExportOptions, type ExportKind} from '../core/export/index.js';
import {XarbCommand} from '../cli/base-command.js';
import {parseInstant, venuesFlag} from '../cli/flags.js';
import {csvLine, jsonLine} from '../ui/csv.js';

export interface ExportSummary {
  readonly kind: ExportKind;
  readonly format: 'csv' | 'jsonl';
  readonly rows: number;
  readonly output: string;
}

/** Lines are gathered into chunks of about this many characters before each write. */
const CHUNK = 64 * 1024;

async function write(stream: Writable, chunk: string): Promise<void> {
  if (!stream.write(chunk)) await once(stream, 'drain');
}

export default class Export extends XarbCommand<ExportSummary> {
  static override enableJsonFlag = false;
  static override demoNotice = false;
  static override summary = 'Export fills, orders, the PnL ledger or balance snapshots as CSV or JSON Lines';
  static override description = `Rows stream from the journal oldest first (memory does not grow with the journal). CSV has a header row and RFC 4180 quoting, so spreadsheets and tax tools read it as is; JSON Lines has one object per line with the same keys. Money and amounts are exact decimal strings as journalled, times ISO 8601 UTC.

fills: every journalled trade. orders: every order with its status, filled amount, average and fees. pnl: one row per fill with what it did to its asset's average-cost book, in the valuation currency (config valuationQuote), exactly as \`xarb pnl\` computes it: one book per asset across quote currencies (BTC/USDT and BTC/USD fills net into one BTC position), each fill converted at the rate of its time (rate and rate_source columns; the venues' current rate only when none was journalled). Summed, realized and fee_value are \`xarb pnl\`'s realized and fees over the same fills. balances: every asset of every balance snapshot that answered.

--since/--until take a duration back from now (7d) or a date (2025-01-01, UTC unless an offset is given); orders are selected by creation time.`;
  static override examples = [
    '<%= config.bin %> export fills --since 2025-01-01 --until 2025-12-31T23:59:59Z > fills-2025.csv',
    '<%= config.bin %> export orders --format jsonl --venues binance,kraken',
    '<%= config.bin %> export pnl --output pnl.csv',
  ];
  static override args = {kind: Args.string({description: 'what to export', options: [...EXPORT_KINDS], required: true})};
  static override flags = {
    format: Flags.string({description: 'csv (header row) or jsonl (one JSON object per line)', options: ['csv', 'jsonl'], default: 'csv'}),
    since: Flags.string({description: 'from this time: a duration back (7d) or a date (2025-01-01)', helpValue: '7d'}),
    until: Flags.string({description: 'up to this time (inclusive): a duration back or a date', helpValue: '2025-12-31'}),
    venues: venuesFlag({description: 'only these venues (default: all)'}),
    output: Flags.string({char: 'o', description: 'write to this file (created 0600; must not exist) instead of stdout', helpValue: 'FILE'}),
  };

  async run(): Promise<ExportSummary> {
    const {args, flags} = await this.parse(Export);
    const ctx = await this.context();
    const now = ctx.clock.now();
    const since = flags.since === undefined ? undefined : parseInstant(flags.since, now, '--since');
    const until = flags.until === undefined ? undefined : parseInstant(flags.until, now, '--until');
    if (since !== undefined && until !== undefined && since > until) throw new UsageError('--since is after --until');
    const format = flags.format as 'csv' | 'jsonl';
    const filter = {since, until, venues: flags.venues};
    const pnl = args.kind === 'pnl' ? await pnlExportOptions({db: ctx.db, clock: ctx.clock, venues: await ctx.venues(undefined, {paper: false})}, filter, ctx.config.valuationQuote) : undefined;
    for (const note of pnl?.notes ?? []) this.note(`note: ${note}`);
    const stream = exportJournal(ctx.db, args.kind as ExportKind, filter, pnl ? {pnl: pnl.options} : {});
    const out: Writable = flags.output ? createWriteStream(resolve(flags.output), {flags: 'wx', mode: 0o600}) : process.stdout;
    if (flags.output) {
      await new Promise<void>((done, fail) => {
        out.once('open', () => done());
        out.once('error', (error: NodeJS.ErrnoException) =>
          fail(new UsageError(error.code === 'EEXIST' ? `${flags.output} already exists` : `cannot write ${flags.output}: ${error.code ?? error.message}`, 'give a new file name; export never overwrites a file')),
        );
      });
    }
    let rows = 0;
    let buffer = format === 'csv' ? csvLine(stream.columns) : '';
    for (const record of stream.rows) {
      buffer += format === 'csv' ? csvLine(stream.columns.map((c) => record[c])) : jsonLine(stream.columns, record);
      rows++;
      if (buffer.length >= CHUNK) {
        await write(out, buffer);
        buffer = '';
      }
    }
    if (buffer) await write(out, buffer);
    if (flags.output) {
      out.end();
      await once(out, 'finish');
      this.note(`wrote ${rows} ${args.kind} rows to ${resolve(flags.output)}`);
    }
    return {kind: args.kind as ExportKind, format, rows, output: flags.output ? resolve(flags.output) : '-'};
  }
}
