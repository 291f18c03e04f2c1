import {configPath, journalPath} from '../../core/config/store.js';
import {XarbCommand} from '../../cli/base-command.js';

export interface ConfigPathResult {
  readonly home: string;
  readonly config: string;
  readonly journal: string;
}

export default class ConfigPath extends XarbCommand<ConfigPathResult> {
  static override demoNotice = false;
  static override summary = 'Print where the config and the journal live ($XARB_HOME)';
  static override description = 'XARB_HOME (default ~/.xarb) holds config.json and journal.db. Set it to keep several independent setups, or to point cron at the right one.';
  static override examples = ['<%= config.bin %> config path', 'XARB_HOME=/srv/xarb <%= config.bin %> config path --json'];

  async run(): Promise<ConfigPathResult> {
    await this.parse(ConfigPath);
    const home = this.home;
    const result = {home, config: configPath(home), journal: journalPath(home)};
    this.out(`home     ${result.home}\nconfig   ${result.config}\njournal  ${result.journal}`);
    return result;
  }
}
