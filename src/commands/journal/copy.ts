import {Flags} from '@oclif/core';
import {copyJournal, isPostgresUrl, type JournalCopyResult} from '../../core/admin/index.js';
import {UsageError} from '../../core/errors.js';
import {XarbCommand} from '../../cli/base-command.js';
import {renderTable} from '../../ui/table.js';

export type {JournalCopyResult} from '../../core/admin/index.js';

export default class JournalCopy extends XarbCommand<JournalCopyResult> {
  static override demoNotice = false;
  static override summary = 'Copy the journal.db file, whole, into a new journal on PostgreSQL';
  static override description = `Everything is copied in one transaction (orders, fills, events, risk usage and trading state, paper balances, reconcile runs, transfers, snapshots), ids and the journal's identity kept, and checked table by table before it commits. The target must be empty: a new database or a new schema (?schema=name in the URL; default schema "xarb"). The journal.db file is left as it was, with one journal.copied event. Then point xarb at the copy: \`xarb config set journal.url postgres://user@host:5432/db\` (no password in config: use PGPASSWORD or ~/.pgpass, or XARB_JOURNAL_URL in the environment). Stop cron jobs and other xarb processes while copying: what they write after the copy stays in the file.`;
  static override examples = ['<%= config.bin %> journal copy --to postgres://xarb@db.internal:5432/trading', '<%= config.bin %> journal copy --to "postgres://xarb@127.0.0.1:5432/trading?schema=desk2"'];
  static override flags = {
    to: Flags.string({description: 'the PostgreSQL journal to create: postgres://user@host:port/database[?schema=name]', required: true}),
  };

  async run(): Promise<JournalCopyResult> {
    const {flags} = await this.parse(JournalCopy);
    if (!isPostgresUrl(flags.to)) throw new UsageError('--to must be a postgres:// URL', 'e.g. --to postgres://xarb@127.0.0.1:5432/trading');
    const ctx = await this.context();
    ctx.autoPrune = false;
    const result = copyJournal({db: ctx.db, clock: ctx.clock}, flags.to);
    this.out(
      renderTable({
        head: ['table', 'rows'],
        rows: result.tables.filter((t) => t.rows > 0).map((t) => [t.table, t.rows]),
        align: ['left', 'right'],
        color: this.color,
      }),
    );
    this.out(`copied ${result.rows} rows into ${result.to} (journal ${result.journalId ?? 'without id'}); use it with: xarb config set journal.url <the URL without password>`);
    return result;
  }
}
