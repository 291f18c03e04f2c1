import {Flags} from '@oclif/core';
import {collect} from '../../core/bus/collector.js';
import type {CollectorStatus} from '../../core/bus/port.js';
import {openBus} from '../../core/bus/open.js';
import {UsageError} from '../../core/errors.js';
import {normalizeSymbol} from '../../core/symbols/index.js';
import {XarbCommand} from '../../cli/base-command.js';
import {integerFlag, intervalFlag, parseSourceUrl, venuesFlag} from '../../cli/flags.js';
import {fmtAge} from '../../ui/table.js';

export type CollectResult = CollectorStatus;

export default class Collect extends XarbCommand<CollectResult> {
  static override summary = 'Stream books from the venues into the market-data bus (NATS JetStream)';
  static override description = `A long-running collector: keeps each venue's order books warm (websocket streams where the venue has
them, polling otherwise) and publishes every update, normalized, to the bus given by --source (or market.source in
config), with the latest book per venue and symbol and each venue's market metadata in key-value buckets. Readers
(\`xarb prices --source\`, \`xarb arb scan --source\`) then need no venue. Reconnects to venues and to the bus with
backoff, republishes a full book after a gap, prints one status line per --interval on stderr and stops cleanly on
Ctrl-C or SIGTERM. See docs/scale-out.md.`;

  static override examples = [
    '<%= config.bin %> collect --source nats://127.0.0.1:4222',
    '<%= config.bin %> collect --venues binance,kraken --symbols BTC/USD,ETH/USD --depth 20 --source nats://127.0.0.1:4222',
    '<%= config.bin %> collect status --source nats://127.0.0.1:4222',
  ];

  static override flags = {
    venues: venuesFlag(),
    symbols: Flags.string({description: 'comma-separated symbols (default: every symbol listed on two or more of the venues)'}),
    depth: integerFlag({description: 'book levels per side', default: 50, min: 1, max: 1000}),
    source: Flags.string({description: 'the bus: nats://host:4222 (default: XARB_MARKET_SOURCE, then market.source in config)', aliases: ['nats'], helpValue: 'nats://host:4222'}),
    interval: intervalFlag({description: 'time between status lines', default: '10s'}),
    poll: intervalFlag({description: 'time between polls of venues that do not stream (at least each venue\'s rate limit)', default: '1s'}),
  };

  async run(): Promise<CollectResult> {
    const {flags} = await this.parse(Collect);
    const ctx = await this.context();
    const url = ctx.marketSource(flags.source === undefined ? undefined : parseSourceUrl(flags.source));
    if (!url) throw new UsageError('collect needs a bus to publish to', 'pass --source nats://host:4222, set XARB_MARKET_SOURCE, or set it with `xarb config set market.source nats://host:4222`');
    const symbols = flags.symbols?.split(',').map((s) => s.trim()).filter(Boolean).map((s) => normalizeSymbol(s));
    const venues = await ctx.venues(flags.venues, {paper: false});
    const bus = await openBus(url, {create: true, onStatus: (event) => this.note(`bus: ${event}`)});
    const interrupt = this.interruptSignal();
    try {
      const status = await collect({
        venues,
        bus,
        clock: ctx.clock,
        signal: interrupt.signal,
        symbols,
        depth: flags.depth,
        pollMs: flags.poll,
        statusMs: flags.interval,
        onStatus: (s) => this.note(statusLine(s)),
        onEvent: (text) => this.note(`${new Date().toISOString().slice(11, 19)} ${text}`),
      });
      this.note(`stopped: ${status.published} book update(s) published since ${new Date(status.startedAt).toISOString()}`);
      return status;
    } finally {
      interrupt.release();
      await bus.close();
    }
  }
}

export function statusLine(s: CollectorStatus): string {
  const time = new Date(s.at).toISOString().slice(11, 19);
  const venues = s.perVenue.map((v) => `${v.venue} ${v.updates}${v.mode === 'poll' ? ' (poll)' : ''}${v.lastError ? ' !' : ''}`).join(', ');
  return `${time} ${s.rate}/s, ${s.published} total, lag ${fmtAge(s.lagMs.median)} (max ${fmtAge(s.lagMs.max)}), ${s.gaps} gap(s), ${s.venueErrors} venue error(s), ${s.busErrors} bus error(s); ${venues}`;
}
