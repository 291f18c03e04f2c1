import {Flags} from '@oclif/core';
import {orderResult, type OrderResult} from '../core/execution/place.js';
import {OrdersRepo} from '../core/journal/index.js';
import {XarbCommand} from '../cli/base-command.js';
import {integerFlag, sinceFlag, sinceTime, symbolFlag, venueFlag} from '../cli/flags.js';
import {orderJson, renderOrders} from '../ui/order-view.js';

export interface OrdersListItem extends OrderResult {
  readonly planId: string | undefined;
  readonly origin: 'xarb' | 'external';
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface OrdersResult {
  readonly orders: readonly OrdersListItem[];
}

export default class Orders extends XarbCommand<OrdersResult> {
  static override summary = 'List journalled orders with status, fills and fees';
  static override description = `Newest first. Status is the journal's: pending_submit (written, not yet sent), unknown (sent, answer
lost - settled by \`xarb reconcile --fix\`, never re-sent), open, closed, canceled, rejected, expired. Average price and
fees come from the recorded fills (or the venue's order when no fills were recorded). Times are UTC.
First, the venues holding live orders are asked for those orders and their fills, so an order that filled since is
shown filled; --offline reads the journal alone.`;

  static override examples = ['<%= config.bin %> orders', '<%= config.bin %> orders --open --venue simbit', '<%= config.bin %> orders --since 1h --json', '<%= config.bin %> orders --offline'];

  static override flags = {
    open: Flags.boolean({description: 'only open and in-flight orders (pending_submit, unknown, open)', default: false}),
    venue: venueFlag(),
    symbol: symbolFlag({description: 'only this symbol'}),
    since: sinceFlag({description: 'only orders created since (1h, 7d, or a date: UTC unless an offset is given)'}),
    limit: integerFlag({description: 'at most this many orders', default: 100, min: 1}),
    offline: Flags.boolean({description: 'read the journal alone: do not first bring live orders up to date with the venues', default: false}),
  };

  async run(): Promise<OrdersResult> {
    const {flags} = await this.parse(Orders);
    const ctx = await this.context();
    if (flags.venue) ctx.selectVenues([flags.venue]);
    const repo = new OrdersRepo(ctx.db, ctx.clock);
    if (!flags.offline) {
      // Venues with live journal orders (within --venue) are asked first, so fills since the last look are shown.
      const live = [...new Set(repo.list({open: true, ...(flags.venue ? {venue: flags.venue} : {}), limit: 1_000_000}).map((o) => o.venue))];
      await this.syncVenues(await ctx.venues(live.filter((name) => ctx.venueNames().includes(name))));
    }
    const rows = repo.list({
      open: flags.open,
      ...(flags.venue ? {venue: flags.venue} : {}),
      ...(flags.symbol ? {symbol: flags.symbol} : {}),
      ...(flags.since ? {since: sinceTime(flags.since, ctx.clock.now())} : {}),
      limit: flags.limit,
    });
    const orders = rows.map((o) => orderJson({...orderResult(ctx.db, ctx.clock, o), planId: o.planId, origin: o.origin, createdAt: o.createdAt, updatedAt: o.updatedAt}));
    if (orders.length === 0) this.out('no orders');
    else this.out(renderOrders(orders, this.color, this.chalk));
    return {orders};
  }
}
