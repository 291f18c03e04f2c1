import {Args} from '@oclif/core';
import {setPath, updateConfig} from '../../core/config/store.js';
import {ConfigError} from '../../core/errors.js';
import {parseValue} from '../../core/venues/manage.js';
import {XarbCommand} from '../../cli/base-command.js';

export interface ConfigSetResult {
  readonly key: string;
  readonly value: unknown;
}

export default class ConfigSet extends XarbCommand<ConfigSetResult> {
  static override demoNotice = false;
  static override summary = 'Set one dotted key of the config (validated before it is written)';
  static override description = 'The value is JSON when it parses as JSON, a string otherwise; an empty value removes the key. Secrets are refused: they belong in the environment.';
  static override examples = ['<%= config.bin %> config set valuationQuote USDT', '<%= config.bin %> config set risk.global.maxOrderNotional 50000', '<%= config.bin %> config set arb.legPolicy hedge'];
  static override args = {
    key: Args.string({description: 'dotted key', required: true}),
    value: Args.string({description: 'new value (JSON or text)', required: true}),
  };

  async run(): Promise<ConfigSetResult> {
    const {args} = await this.parse(ConfigSet);
    if (/(^|\.)(apikey|secret|password|privatekey)$/i.test(args.key)) throw new ConfigError([`${args.key}: secrets are not stored in the config`], 'use XARB_<VENUE>_API_KEY / _SECRET / _PASSWORD or a 0600 keysFile');
    const value = parseValue(args.value);
    await updateConfig(this.home, (raw) => setPath(raw, args.key, value));
    this.out(`${args.key} = ${JSON.stringify(value)}`);
    return {key: args.key, value: value ?? null};
  }
}
