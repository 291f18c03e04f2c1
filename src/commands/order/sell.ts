import {OrderCommand, type OrderReport} from '../../cli/order-command.js';

export type {OrderReport} from '../../cli/order-command.js';

export default class OrderSell extends OrderCommand {
  static override summary = 'Sell, routed to the best venue(s), after risk checks (journal first)';
  static override description = OrderCommand.description;
  static override examples = OrderCommand.examplesFor('sell', '3300');

  // oclif reads a command's own static args (not inherited ones) when parsing.
  static override args = OrderCommand.args;
  static override flags = OrderCommand.flags;

  protected readonly side = 'sell' as const;

  async run(): Promise<OrderReport> {
    return this.runOrder(OrderSell);
  }
}
