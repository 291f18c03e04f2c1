import {resolve} from 'node:path';
import {Args} from '@oclif/core';
import {backupJournal, type JournalBackupResult} from '../../core/admin/index.js';
import {XarbCommand} from '../../cli/base-command.js';

export type {JournalBackupResult} from '../../core/admin/index.js';

export default class JournalBackup extends XarbCommand<JournalBackupResult> {
  static override demoNotice = false;
  static override summary = 'Write a consistent copy of the journal to FILE while xarb keeps running';
  static override description = `The copy is one consistent snapshot (SQLite VACUUM INTO) taken while other xarb processes keep writing, compacted, created with mode 0600, and integrity-checked after writing. FILE must not exist. To restore, stop cron jobs and replace journal.db with the copy (remove journal.db-wal and journal.db-shm first). xarb also backs the journal up by itself before any schema migration (journal.db.v<old version>-<time>.bak next to it).`;
  static override examples = ['<%= config.bin %> journal backup ~/backups/xarb-$(date +%F).db'];
  static override args = {file: Args.string({description: 'where to write the copy (must not exist)', required: true})};

  async run(): Promise<JournalBackupResult> {
    const {args} = await this.parse(JournalBackup);
    const ctx = await this.context();
    const result = backupJournal(ctx.db, resolve(args.file));
    this.out(`backed up the journal (schema version ${result.version}) to ${result.file} (${result.bytes} bytes)`);
    return result;
  }
}
