import {Args, Flags} from '@oclif/core';
import {loadRawConfig, updateConfig} from '../../core/config/store.js';
import {addVenue, checkVenueUsable, parseOptionFlags} from '../../core/venues/manage.js';
import type {VenueConfig} from '../../core/config/schema.js';
import {XarbCommand} from '../../cli/base-command.js';

export interface ExchangeAddResult {
  readonly name: string;
  readonly venue: VenueConfig;
}

export default class ExchangesAdd extends XarbCommand<ExchangeAddResult> {
  static override demoNotice = false;
  static override summary = 'Add a venue: any ccxt exchange id (binance, kraken, okx, ...) or sim';
  static override description = `New venues start in paper mode (real market data, simulated fills). Live trading needs --mode live and keys in
XARB_<NAME>_API_KEY / XARB_<NAME>_SECRET (and _PASSWORD where the exchange uses one) or a 0600 keysFile.
Once a venue is configured, the built-in demo venues are no longer used.`;
  static override examples = [
    '<%= config.bin %> exchanges add binance',
    '<%= config.bin %> exchanges add kraken --name kraken-main --priority 2 --allocation 30',
    '<%= config.bin %> exchanges add binance --sandbox',
    '<%= config.bin %> exchanges add okx --api-base-url https://gateway.example.com',
  ];
  static override args = {exchange: Args.string({description: 'ccxt exchange id, or sim', required: true})};
  static override flags = {
    name: Flags.string({description: 'name of the venue in xarb (default: the exchange id)'}),
    mode: Flags.string({options: ['paper', 'live'], description: 'execution mode', default: 'paper'}),
    sandbox: Flags.boolean({description: "use the exchange's testnet", default: false}),
    'api-base-url': Flags.string({description: 'replace scheme and host of every REST URL (gateways, proxies)'}),
    'ws-base-url': Flags.string({description: 'replace scheme and host of every websocket URL'}),
    priority: Flags.integer({description: 'order for --route priority (lower first)'}),
    allocation: Flags.integer({description: 'target share of the portfolio, percent', min: 0, max: 100}),
    option: Flags.string({description: 'ccxt constructor option key=value (repeatable; dotted keys nest)', multiple: true}),
  };

  async run(): Promise<ExchangeAddResult> {
    const {args, flags} = await this.parse(ExchangesAdd);
    const options = parseOptionFlags(flags.option ?? []);
    const input = {
      exchange: args.exchange,
      name: flags.name,
      mode: flags.mode as 'paper' | 'live',
      sandbox: flags.sandbox,
      apiBaseUrl: flags['api-base-url'],
      wsBaseUrl: flags['ws-base-url'],
      priority: flags.priority,
      allocation: flags.allocation,
      options,
    };
    // Check before writing: an unusable venue (0644 keys file, no sandbox) would break every later run.
    const {name, venue} = addVenue(loadRawConfig(this.home), input);
    await checkVenueUsable(name, venue, process.env);
    await updateConfig(this.home, (raw) => addVenue(raw, input).config);
    this.out(`added ${name} (${venue.exchange}, ${venue.mode} mode${venue.sandbox ? ', sandbox' : ''})`);
    if (venue.mode === 'live') this.note(`${name} is live: orders will spend real money once keys are set`);
    return {name, venue};
  }
}
