import {Args} from '@oclif/core';
import {loadRawConfig, readSetting, type Setting} from '../../core/config/store.js';
import {XarbCommand} from '../../cli/base-command.js';

export interface ConfigGetResult {
  readonly key: string | null;
  /** The effective value: the file's, else the default (null when neither). */
  readonly value: unknown;
  /** Where the value comes from: the config file, the documented default, or nowhere. */
  readonly source: Setting['source'] | 'file';
}

export default class ConfigGet extends XarbCommand<ConfigGetResult> {
  static override demoNotice = false;
  static override summary = 'Print the config file, or the effective value of one dotted key';
  static override description = 'With a key, prints the value in effect: the one in the config file, or the default (marked "(default)"). Without a key, prints the config file as it is.';
  static override examples = ['<%= config.bin %> config get', '<%= config.bin %> config get valuationQuote', '<%= config.bin %> config get venues.binance.mode --json'];
  static override args = {key: Args.string({description: 'dotted key, e.g. risk.global.maxOrderNotional'})};

  async run(): Promise<ConfigGetResult> {
    const {args} = await this.parse(ConfigGet);
    if (!args.key) {
      const config = loadRawConfig(this.home);
      this.out(JSON.stringify(config, null, 2));
      return {key: null, value: config, source: 'file'};
    }
    const setting = readSetting(this.home, args.key);
    const text = setting.value === null ? '(not set)' : typeof setting.value === 'string' ? setting.value : JSON.stringify(setting.value, null, 2);
    this.out(setting.source === 'default' ? `${text} (default)` : text);
    return setting;
  }
}
