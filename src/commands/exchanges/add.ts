import {Args, Flags} from '@oclif/core';
import {loadRawConfig, updateConfig} from '../../core/config/store.js';
import {addDemoVenues, addVenue, checkVenueUsable, parseOptionFlags} from '../../core/venues/manage.js';
import type {VenueConfig} from '../../core/config/schema.js';
import {UsageError} from '../../core/errors.js';
import {XarbCommand} from '../../cli/base-command.js';
import {assetAmountsFlag, integerFlag, parseVenueName} from '../../cli/flags.js';

export interface ExchangeAddResult {
  readonly name: string;
  readonly venue: VenueConfig;
  /** `exchanges add demo`: every venue added (the demo profile's). */
  readonly added?: readonly string[];
}

export default class ExchangesAdd extends XarbCommand<ExchangeAddResult> {
  static override demoNotice = false;
  static override summary = 'Add a venue: any ccxt exchange id (binance, kraken, okx, ...), sim, or demo (the built-in demo venues)';
  static override description = `New venues start in paper mode (real market data, simulated fills). Live trading needs --mode live and keys in
XARB_<NAME>_API_KEY / XARB_<NAME>_SECRET (and _PASSWORD where the exchange uses one) or a 0600 keysFile.
Once a venue is configured, the built-in demo venues are no longer used: \`xarb exchanges add demo\` adds them back exactly
(simbit, simex, simkraken, simgate), and \`xarb exchanges add sim --name simbit\` adds one of them.
A paper venue starts with no balances (demo venues with their demo balances); fund it with --paper-balance.`;
  static override examples = [
    '<%= config.bin %> exchanges add binance',
    '<%= config.bin %> exchanges add kraken --name kraken-main --priority 2 --allocation 30',
    '<%= config.bin %> exchanges add binance --sandbox',
    '<%= config.bin %> exchanges add okx --api-base-url https://gateway.example.com',
    '<%= config.bin %> exchanges add binance --name binance-paper --paper-balance USDT=10000,BTC=1',
    '<%= config.bin %> exchanges add demo',
  ];
  static override args = {exchange: Args.string({description: 'ccxt exchange id, sim, or demo', required: true})};
  static override flags = {
    name: Flags.string({description: 'name of the venue in xarb (default: the exchange id)', parse: async (input) => parseVenueName(input, '--name')}),
    mode: Flags.string({options: ['paper', 'live'], description: 'execution mode', default: 'paper'}),
    sandbox: Flags.boolean({description: "use the exchange's testnet", default: false}),
    'api-base-url': Flags.string({description: 'replace scheme and host of every REST URL (gateways, proxies)'}),
    'ws-base-url': Flags.string({description: 'replace scheme and host of every websocket URL'}),
    priority: integerFlag({description: 'order for --route priority (lower first)', max: 1_000_000}),
    allocation: integerFlag({description: 'target share of the portfolio, percent', min: 0, max: 100}),
    'paper-balance': assetAmountsFlag({description: 'starting balances of a paper venue, ASSET=amount,...'}),
    option: Flags.string({description: 'ccxt constructor option key=value (repeatable; dotted keys nest)', multiple: true}),
  };

  async run(): Promise<ExchangeAddResult> {
    const {args, flags} = await this.parse(ExchangesAdd);
    if (args.exchange.toLowerCase() === 'demo') return this.addDemo(flags);
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
      ...(flags['paper-balance'] ? {paperBalances: flags['paper-balance']} : {}),
    };
    // Check before writing: an unusable venue (0644 keys file, no sandbox) would break every later run.
    const {name, venue} = addVenue(loadRawConfig(this.home), input);
    await checkVenueUsable(name, venue, process.env);
    await updateConfig(this.home, (raw) => addVenue(raw, input).config);
    this.out(`added ${name} (${venue.exchange}, ${venue.mode} mode${venue.sandbox ? ', sandbox' : ''})`);
    if (venue.mode === 'live') this.note(`${name} is live: orders will spend real money once keys are set`);
    return {name, venue};
  }

  private async addDemo(flags: Record<string, unknown>): Promise<ExchangeAddResult> {
    const used = ['name', 'sandbox', 'api-base-url', 'ws-base-url', 'priority', 'allocation', 'option', 'paper-balance'].filter((f) => flags[f] !== undefined && flags[f] !== false);
    if (used.length > 0 || flags.mode === 'live') throw new UsageError(`\`exchanges add demo\` takes no other flags (got --${used[0] ?? 'mode'})`, 'the demo venues are added exactly as the demo profile defines them; change them afterwards with `xarb exchanges set`');
    const {names} = addDemoVenues(loadRawConfig(this.home));
    let config: Record<string, unknown> = {};
    await updateConfig(this.home, (raw) => (config = addDemoVenues(raw).config));
    this.out(`added the demo venues ${names.join(', ')} (SIMULATED, paper mode, demo balances)`);
    const venues = (config.venues ?? {}) as Record<string, VenueConfig>;
    return {name: names[0]!, venue: venues[names[0]!]!, added: names};
  }
}
