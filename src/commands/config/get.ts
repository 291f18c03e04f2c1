import {Args} from '@oclif/core';
import {getPath, loadRawConfig} from '../../core/config/store.js';
import {XarbCommand} from '../../cli/base-command.js';

export interface ConfigGetResult {
  readonly key: string | null;
  readonly value: unknown;
}

export default class ConfigGet extends XarbCommand<ConfigGetResult> {
  static override demoNotice = false;
  static override summary = 'Print the config, or one dotted key of it';
  static override examples = ['<%= config.bin %> config get', '<%= config.bin %> config get venues.binance.mode'];
  static override args = {key: Args.string({description: 'dotted key, e.g. risk.global.maxOrderNotional'})};

  async run(): Promise<ConfigGetResult> {
    const {args} = await this.parse(ConfigGet);
    const config = loadRawConfig(this.home);
    const value = args.key ? getPath(config, args.key) : config;
    this.out(value === undefined ? '(not set)' : typeof value === 'string' ? value : JSON.stringify(value, null, 2));
    return {key: args.key ?? null, value: value ?? null};
  }
}
