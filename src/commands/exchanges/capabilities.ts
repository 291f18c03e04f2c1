import {Args} from '@oclif/core';
import {CAPABILITY_HEAD, capabilityRow, declaredDisagreements, declaredRows, exchangeCapabilities, type CapabilitiesReport} from '../../core/venues/capabilities.js';
import {XarbCommand} from '../../cli/base-command.js';
import {renderTable} from '../../ui/table.js';

export type ExchangesCapabilitiesResult = CapabilitiesReport;

export default class ExchangesCapabilities extends XarbCommand<ExchangesCapabilitiesResult> {
  static override demoNotice = false;
  static override summary = 'What xarb can do on each ccxt exchange: client ids, lookups, keyless quotes, market buys, funding';
  static override description = `Shows the capability matrix computed offline from ccxt's own request building (docs/venues.md).
"round-trip" says whether our client id reaches the venue and an order can be found by it again: live orders are
refused where it does not, unless the venue sets allowLiveWithoutIdempotency. For one exchange it also shows what
ccxt's class declares about itself (its has flags and features: createOrder with a client id, fetchOrder by client
id, market buys by cost), and where that disagrees with the requests ccxt builds.`;
  static override examples = ['<%= config.bin %> exchanges capabilities', '<%= config.bin %> exchanges capabilities gate --json'];
  static override args = {id: Args.string({description: 'a ccxt exchange id (all when omitted)', required: false})};

  async run(): Promise<ExchangesCapabilitiesResult> {
    const {args} = await this.parse(ExchangesCapabilities);
    const report = await exchangeCapabilities(args.id);
    if (!this.jsonEnabled()) {
      if (args.id === undefined) {
        this.out(renderTable({head: CAPABILITY_HEAD, rows: report.exchanges.map(capabilityRow), color: this.color}));
      } else {
        const one = report.exchanges[0]!;
        const row = capabilityRow(one);
        this.out(renderTable({head: ['capability', 'value'], rows: [...CAPABILITY_HEAD.map((h, i) => [h, row[i] || '-']), ...declaredRows(one)], color: this.color}));
        for (const gap of declaredDisagreements(one)) this.out(`note: ${gap}; xarb follows the request ccxt builds`);
        if (one.note !== undefined) this.out(`probe note: ${one.note}`);
      }
      this.out(`computed for ccxt ${report.ccxtVersion}`);
      if (report.installedCcxt !== report.ccxtVersion) this.note(`ccxt ${report.installedCcxt} is installed: the matrix may be stale`);
    }
    return report;
  }
}
