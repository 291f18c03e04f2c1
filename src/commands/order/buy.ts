import {OrderCommand, type OrderReport} from '../../cli/order-command.js';

export type {OrderReport} from '../../cli/order-command.js';

export default class OrderBuy extends OrderCommand {
  static override summary = 'Buy, routed to the best venue(s), after risk checks (journal first)';
  static override description = OrderCommand.description;
  static override examples = OrderCommand.examplesFor('buy', '3100');

  // oclif reads a command's own static args (not inherited ones) when parsing.
  static override args = OrderCommand.args;
  static override flags = OrderCommand.flags;

  protected readonly side = 'buy' as const;

  async run(): Promise<OrderReport> {
    return this.runOrder(OrderBuy);
  }
}
