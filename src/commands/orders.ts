import {Flags} from '@oclif/core';
import {listOrders, orderMarketSteps, type OrdersListItem} from '../core/execution/list.js';
import {XarbCommand} from '../cli/base-command.js';
import {integerFlag, sinceFlag, sinceTime, symbolFlag, venueFlag} from '../cli/flags.js';
import {orderJson, renderOrders} from '../ui/order-view.js';

export type {OrdersListItem} from '../core/execution/list.js';

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
    const items = await listOrders(
      {db: ctx.db, clock: ctx.clock, venueNames: ctx.venueNames(), openVenues: (names) => ctx.venues(names), sync: flags.offline ? undefined : (venues) => this.syncVenues(venues)},
      {open: flags.open, venue: flags.venue, symbol: flags.symbol, since: flags.since ? sinceTime(flags.since, ctx.clock.now()) : undefined, limit: flags.limit},
    );
    const orders = items.map(orderJson);
    if (orders.length === 0) this.out('no orders');
    else {
      // Prices by tick and amounts by lot where the venue's markets are at hand; --offline shows currency digits.
      const steps = flags.offline || this.jsonEnabled() ? new Map() : await orderMarketSteps({venueNames: ctx.venueNames(), openVenues: (names) => ctx.venues(names)}, items);
      const digits = (venue: string, symbol: string) => {
        const s = steps.get(`${venue}\u0000${symbol}`);
        return s ? {quote: s.quote, tick: s.priceStep, lot: s.amountStep} : undefined;
      };
      this.out(renderOrders(orders, this.color, this.chalk, digits));
    }
    return {orders};
  }
}
