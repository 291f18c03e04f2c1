import {statSync} from 'node:fs';
import {journalPath} from '../../core/config/store.js';
import {journalStats, lastPruneAt, type JournalStats} from '../../core/journal/index.js';
import {XarbCommand} from '../../cli/base-command.js';
import {renderTable} from '../../ui/table.js';

export type JournalStatsResult = JournalStats & {
  readonly path: string;
  /** Sizes on disk of journal.db and its write-ahead log. */
  readonly fileBytes: number;
  readonly walBytes: number;
  readonly lastPruneAt: string | null;
};

const size = (path: string) => {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
};

export default class JournalStatsCommand extends XarbCommand<JournalStatsResult> {
  static override demoNotice = false;
  static override summary = 'Rows and bytes per journal table';
  static override description = `Bytes count the table with its indexes. They are measured from SQLite's pages (method "dbstat") when SQLite has the dbstat table, otherwise estimated by sharing the used pages out by row count (method "estimate"); the output says which.`;
  static override examples = ['<%= config.bin %> journal stats', '<%= config.bin %> journal stats --json'];

  async run(): Promise<JournalStatsResult> {
    await this.parse(JournalStatsCommand);
    const ctx = await this.context();
    const stats = journalStats(ctx.db);
    const path = ctx.journalUrl ? ctx.db.path : journalPath(ctx.home);
    const last = lastPruneAt(ctx.db);
    const result = {...stats, path, fileBytes: size(path), walBytes: size(`${path}-wal`), lastPruneAt: last === undefined ? null : new Date(last).toISOString()};
    this.out(
      renderTable({
        head: ['table', 'rows', 'bytes'],
        rows: stats.tables.map((t) => [t.table, t.rows, t.bytes]),
        align: ['left', 'right', 'right'],
        color: this.color,
      }),
    );
    if (stats.method === 'postgres') {
      this.out(`${path}: bytes per table as PostgreSQL reports them (with indexes and TOAST); retention last ran ${result.lastPruneAt ?? 'never'}`);
      return result;
    }
    this.out(
      `${path}: ${result.fileBytes} bytes (+ ${result.walBytes} in the write-ahead log); bytes per table ${stats.method === 'dbstat' ? 'measured (dbstat)' : 'estimated from row counts'}; ${stats.freePages} free pages; retention last ran ${result.lastPruneAt ?? 'never'}`,
    );
    return result;
  }
}
