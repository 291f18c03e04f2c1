import {Flags} from '@oclif/core';
import {ExitCode} from '../../core/errors.js';
import {checkVenue, describeVenue, type VenueStatus} from '../../core/venues/status.js';
import {XarbCommand} from '../../cli/base-command.js';
import {durationFlag, venuesFlag} from '../../cli/flags.js';
import {fmtAge, renderTable} from '../../ui/table.js';

export interface ExchangesResult {
  readonly demo: boolean;
  readonly venues: readonly VenueStatus[];
}

export default class Exchanges extends XarbCommand<ExchangesResult> {
  static override summary = 'List venues with status, latency, mode, keys, priority and allocation';
  static override description = 'Checks every venue in parallel (markets and one quote). Keys are reported as present or not, never shown.';
  static override examples = ['<%= config.bin %> exchanges', '<%= config.bin %> exchanges --no-check --json'];
  static override flags = {
    venues: venuesFlag(),
    check: Flags.boolean({description: 'contact each venue to measure reachability and latency', default: true, allowNo: true}),
    timeout: durationFlag({description: 'per-venue check timeout', default: '10s', min: 1, max: 2_147_483_647}),
  };

  async run(): Promise<ExchangesResult> {
    const {flags} = await this.parse(Exchanges);
    const ctx = await this.context();
    const names = ctx.selectVenues(flags.venues);
    const base = names.map((name) => describeVenue(name, ctx.venueConfig(name), ctx.env));
    const venues = flags.check
      ? await Promise.all(base.map((b) => checkVenue(b, () => ctx.venue(b.name, {paper: false}), ctx.clock, flags.timeout)))
      : base;
    const result = {demo: ctx.isDemo, venues};
    if (flags.check && venues.length > 0 && venues.every((v) => v.reachable === false)) process.exitCode = ExitCode.venueFailed;
    if (!this.jsonEnabled()) {
      const c = this.chalk;
      const rows = venues.map((v) => [
        v.name,
        v.simulated ? 'simulated' : v.exchange,
        v.reachable === undefined ? '-' : v.reachable ? c.green('ok') : c.red('failed'),
        v.latencyMs === undefined ? '-' : fmtAge(v.latencyMs),
        v.rateLimitMs === undefined ? '-' : `${Math.round(v.rateLimitMs)}ms`,
        v.mode === 'live' ? c.red('live') : 'paper',
        v.sandbox ? 'yes' : 'no',
        v.keys ? 'present' : 'none',
        v.priority === undefined ? '-' : String(v.priority),
        v.allocation === undefined ? '-' : `${v.allocation}%`,
        v.apiBaseUrl ?? '',
      ]);
      this.out(renderTable({head: ['venue', 'exchange', 'status', 'latency', 'rate limit', 'mode', 'sandbox', 'keys', 'priority', 'allocation', 'api base url'], rows, color: this.color, priority: [0, 1, 2, 5, 9, 3, 6, 4, 7, 8, 10]}));
      for (const v of venues) if (v.reachable === false) this.out(c.red(`${v.name} failed: ${(v.error ?? 'no answer').replace(`${v.name}: `, '')}`));
      if (ctx.isDemo) this.out(c.yellow('These are the built-in simulated venues. Add a real exchange: xarb exchanges add binance'));
    }
    return result;
  }
}
