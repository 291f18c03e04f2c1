import {Args} from '@oclif/core';
import type {VenueConfig} from '../../core/config/schema.js';
import {loadRawConfig, updateConfig} from '../../core/config/store.js';
import {UsageError} from '../../core/errors.js';
import {checkVenueUsable, setVenueFields} from '../../core/venues/manage.js';
import {XarbCommand} from '../../cli/base-command.js';

export interface ExchangeSetResult {
  readonly name: string;
  readonly venue: VenueConfig;
}

export default class ExchangesSet extends XarbCommand<ExchangeSetResult> {
  static override demoNotice = false;
  static override summary = 'Change fields of a venue: key=value ...';
  static override description = 'Values are JSON when they parse as JSON (numbers, true/false, objects), strings otherwise; an empty value removes the key.';
  static override examples = [
    '<%= config.bin %> exchanges set binance mode=live priority=1 allocation=40',
    '<%= config.bin %> exchanges set kraken fees.taker=0.0016 apiBaseUrl=https://gateway.example.com',
    '<%= config.bin %> exchanges set binance withdraw=\'{"enabled":true}\'',
  ];
  static override strict = false;
  static override args = {name: Args.string({description: 'venue name', required: true})};

  async run(): Promise<ExchangeSetResult> {
    const {args, argv} = await this.parse(ExchangesSet);
    const assignments = (argv as string[]).slice(1);
    if (assignments.length === 0) throw new UsageError('give at least one key=value', 'e.g. xarb exchanges set binance mode=live');
    const name = args.name.toLowerCase();
    const next = setVenueFields(loadRawConfig(this.home), name, assignments);
    const venue = (next.venues as Record<string, VenueConfig>)[name]!;
    await checkVenueUsable(name, venue, process.env);
    await updateConfig(this.home, (raw) => setVenueFields(raw, name, assignments));
    this.out(`updated ${name}: ${assignments.map((a) => a.split('=')[0]).join(', ')}`);
    if (venue.mode === 'live') this.note(`${name} is live: orders will spend real money`);
    return {name, venue};
  }
}
