import {Flags} from '@oclif/core';
import {listEvents, type JournalEvent} from '../core/admin/index.js';
import {escapeControl, XarbCommand} from '../cli/base-command.js';
import {integerFlag, quoteInput, sinceFlag, sinceTime, venueFlag} from '../cli/flags.js';
import {UsageError} from '../core/errors.js';
import {renderTable} from '../ui/table.js';

export interface EventsResult {
  readonly events: readonly JournalEvent[];
}

const KIND = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*\.?$/;

export default class Events extends XarbCommand<EventsResult> {
  static override demoNotice = false;
  static override summary = "Show the journal's append-only event log (orders sent and answered, risk denials, trading-state changes, reconcile fixes ...)";
  static override description = `Newest first. --kind takes an exact kind (order.sent) or a prefix ending in a dot (risk.). Nothing is changed.`;
  static override examples = ['<%= config.bin %> events', '<%= config.bin %> events --since 1h --kind order.', '<%= config.bin %> events --kind risk.denied --json'];

  static override flags = {
    since: sinceFlag({description: 'only events since (1h, 7d, or a date: UTC unless an offset is given)'}),
    kind: Flags.string({description: 'an exact kind, or a prefix ending in a dot', helpValue: 'order.'}),
    venue: venueFlag({description: 'only events of this venue'}),
    limit: integerFlag({description: 'at most this many events', default: 100, min: 1, max: 100_000}),
  };

  async run(): Promise<EventsResult> {
    const {flags} = await this.parse(Events);
    if (flags.kind !== undefined && !KIND.test(flags.kind)) throw new UsageError(`--kind must look like order.sent or risk., got ${quoteInput(flags.kind)}`);
    const ctx = await this.context();
    const events = listEvents({db: ctx.db, clock: ctx.clock}, {kind: flags.kind, venue: flags.venue, since: flags.since ? sinceTime(flags.since, ctx.clock.now()) : undefined, limit: flags.limit});
    if (events.length === 0) this.out('no events');
    else {
      const rows = events.map((e) => [e.id, new Date(e.ts).toISOString().replace('T', ' ').slice(0, 19), e.kind, e.venue ?? '', e.ref ?? '', summarize(e.data)]);
      this.out(renderTable({head: ['id', 'time (UTC)', 'kind', 'venue', 'ref', 'data'], rows, color: this.color}));
    }
    return {events};
  }
}

/** key=value pairs of an event's data, cut to fit a table cell. */
function summarize(data: Readonly<Record<string, unknown>>): string {
  const text = Object.entries(data)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
  const safe = escapeControl(text);
  return safe.length > 80 ? `${safe.slice(0, 79)}…` : safe;
}
