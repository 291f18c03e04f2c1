import {Flags} from '@oclif/core';
import {initJournal, type JournalInitResult} from '../../core/admin/index.js';
import {XarbCommand} from '../../cli/base-command.js';

export type {JournalInitResult} from '../../core/admin/index.js';

export default class JournalInit extends XarbCommand<JournalInitResult> {
  static override demoNotice = false;
  static override summary = 'Start a new, empty journal where the recorded one is missing or empty';
  static override description = `xarb never starts a journal over by itself: when config.json records a journal and the file is missing or empty, every command refuses (exit 1) so the kill switch, risk usage and paper balances are not silently forgotten. Restore the file from a backup, or run this to start over: trading state back to active, no orders, fresh paper balances. An existing journal is kept (exit 2) unless --force, which moves it aside (journal.db.replaced-<time>), never deleting it.`;
  static override examples = ['<%= config.bin %> journal init', '<%= config.bin %> journal init --force'];
  static override flags = {force: Flags.boolean({description: 'move an existing journal aside and start a new one'})};

  async run(): Promise<JournalInitResult> {
    const {flags} = await this.parse(JournalInit);
    const result = initJournal(this.home, {force: flags.force, env: process.env});
    if (result.movedAside) this.out(`moved the old journal to ${result.movedAside}`);
    this.out(`new journal ${result.id} at ${result.path}`);
    return result;
  }
}
