import {Args, Flags} from '@oclif/core';
import {UsageError} from '../core/errors.js';
import {cancelSelected, type CancelReport} from '../core/execution/cancel.js';
import {XarbCommand} from '../cli/base-command.js';
import {parseInteger, venueFlag} from '../cli/flags.js';
import {renderTable} from '../ui/table.js';

export type CancelCommandResult = CancelReport;

export default class Cancel extends XarbCommand<CancelCommandResult> {
  static override summary = 'Cancel journalled orders (an order already closed counts as done)';
  static override description = `Cancel one order by its journal id (see \`xarb orders\`), its client order id or the --client-id it was placed with
(every order of that plan), or every open order with --all
(optionally on one venue). Repeating a cancel is safe: closed, canceled, rejected or expired orders are reported as
already closed. An order whose outcome is unknown is first looked up by its client order id.
Exit codes: 0 every order is canceled or already closed, 4 a venue failed or an order is still unknown.`;

  static override examples = ['<%= config.bin %> cancel 12', '<%= config.bin %> cancel --all', '<%= config.bin %> cancel --all --venue simbit --json'];

  static override args = {id: Args.string({description: 'journal order id, client order id, or the --client-id the order was placed with'})};
  static override flags = {
    all: Flags.boolean({description: 'cancel every open or in-flight order', default: false}),
    venue: venueFlag({description: 'with --all: only on this venue'}),
  };

  async run(): Promise<CancelCommandResult> {
    const {args, flags} = await this.parse(Cancel);
    if (!args.id && !flags.all) throw new UsageError('give an order id or --all', 'see `xarb orders --open`');
    if (args.id && flags.all) throw new UsageError('give an order id or --all, not both');
    const ctx = await this.context();
    if (flags.venue) ctx.selectVenues([flags.venue]);
    // A numeric id is a journal id: refuse one past the integer range before it reaches the journal.
    const id = args.id !== undefined && /^\d+$/.test(args.id) ? String(parseInteger(args.id, 'order id', {min: 1})) : args.id;
    const report = await cancelSelected(
      // Fills that happened meanwhile are journalled first: an order that filled is reported already closed.
      {db: ctx.db, clock: ctx.clock, config: ctx.config, openVenue: (name) => ctx.venue(name), sync: (venues) => this.syncVenues(venues)},
      flags.all ? {all: true, ...(flags.venue ? {venue: flags.venue} : {})} : {id: id!},
    );
    const results = report.results;
    if (results.length === 0) this.out('no open orders');
    else {
      const rows = results.map((r) => [String(r.id), r.venue, r.symbol, r.outcome.replace('_', ' '), r.status, r.filled, r.error ?? '']);
      this.out(renderTable({head: ['id', 'venue', 'symbol', 'outcome', 'status', 'filled', 'error'], rows, color: this.color}));
    }
    return report;
  }
}
