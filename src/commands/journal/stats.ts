import {journalStats, type JournalStatsResult} from '../../core/admin/index.js';
import {XarbCommand} from '../../cli/base-command.js';
import {renderTable} from '../../ui/table.js';

export type {JournalStatsResult} from '../../core/admin/index.js';

export default class JournalStatsCommand extends XarbCommand<JournalStatsResult> {
  static override demoNotice = false;
  static override summary = 'Rows and bytes per journal table';
  static override description = `Bytes count the table with its indexes. They are measured from SQLite's pages (method "dbstat") when SQLite has the dbstat table, otherwise estimated by sharing the used pages out by row count (method "estimate"); the output says which.`;
  static override examples = ['<%= config.bin %> journal stats', '<%= config.bin %> journal stats --json'];

  async run(): Promise<JournalStatsResult> {
    await this.parse(JournalStatsCommand);
    const ctx = await this.context();
    const result = journalStats(ctx.db, {home: ctx.home, url: ctx.journalUrl});
    const {path} = result;
    this.out(
      renderTable({
        head: ['table', 'rows', 'bytes'],
        rows: result.tables.map((t) => [t.table, t.rows, t.bytes]),
        align: ['left', 'right', 'right'],
        color: this.color,
      }),
    );
    if (result.method === 'postgres') {
      this.out(`${path}: bytes per table as PostgreSQL reports them (with indexes and TOAST); retention last ran ${result.lastPruneAt ?? 'never'}`);
      return result;
    }
    this.out(
      `${path}: ${result.fileBytes} bytes (+ ${result.walBytes} in the write-ahead log); bytes per table ${result.method === 'dbstat' ? 'measured (dbstat)' : 'estimated from row counts'}; ${result.freePages} free pages; retention last ran ${result.lastPruneAt ?? 'never'}`,
    );
    return result;
  }
}
