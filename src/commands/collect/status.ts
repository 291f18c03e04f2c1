import {Flags} from '@oclif/core';
import {collectorStatus, type CollectorStatusResult} from '../../core/bus/status.js';
import {UsageError} from '../../core/errors.js';
import {XarbCommand} from '../../cli/base-command.js';
import {parseSourceUrl} from '../../cli/flags.js';
import {fmtAge, renderTable} from '../../ui/table.js';

export type {CollectorStatusResult} from '../../core/bus/status.js';

export default class CollectStatus extends XarbCommand<CollectorStatusResult> {
  static override summary = 'Show the collectors publishing to the market-data bus: rates, lag, gaps, errors';
  static override description = `Reads the status key each running \`xarb collect\` writes to the bus every interval: per collector its
venues, books published per second, the lag between a venue's book time and its publication, gaps detected (followed
by a full snapshot) and the last errors. A collector whose status has not been refreshed for three intervals is shown as
silent; one that stopped cleanly says so. Sends nothing to any venue.`;
  static override examples = ['<%= config.bin %> collect status --source nats://127.0.0.1:4222', '<%= config.bin %> collect status --json'];
  static override demoNotice = false;

  static override flags = {
    source: Flags.string({description: 'the bus: nats://host:4222 (default: XARB_MARKET_SOURCE, then market.source in config)', aliases: ['nats'], helpValue: 'nats://host:4222'}),
  };

  async run(): Promise<CollectorStatusResult> {
    const {flags} = await this.parse(CollectStatus);
    const ctx = await this.context();
    const url = ctx.marketSource(flags.source === undefined ? undefined : parseSourceUrl(flags.source));
    if (!url) throw new UsageError('no market-data bus given', 'pass --source nats://host:4222, set XARB_MARKET_SOURCE, or set market.source in config');
    const result = await collectorStatus(url, ctx.clock);
    if (!this.jsonEnabled()) {
      if (result.collectors.length === 0) this.out(`no collector has reported to ${result.source} yet (start one with \`xarb collect\`)`);
      else {
        const head = ['collector', 'state', 'reported', 'rate/s', 'published', 'lag median', 'lag max', 'gaps', 'venue errors', 'bus errors', 'venues'];
        const rows = result.collectors.map((c) => [
          c.collector,
          c.state,
          `${fmtAge(c.reportedAgoMs)} ago`,
          String(c.rate),
          String(c.published),
          fmtAge(c.lagMs.median),
          fmtAge(c.lagMs.max),
          String(c.gaps),
          String(c.venueErrors),
          String(c.busErrors),
          c.perVenue.map((v) => `${v.venue} ${v.updates}${v.mode === 'poll' ? ' (poll)' : ''}`).join(', '),
        ]);
        this.out(renderTable({head, rows, color: this.color}));
      }
    }
    return result;
  }
}
