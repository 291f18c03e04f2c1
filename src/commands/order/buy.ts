import {OrderCommand, type OrderReport} from '../../cli/order-command.js';

export type {OrderReport} from '../../cli/order-command.js';

export default class OrderBuy extends OrderCommand {
  static override summary = 'Buy, routed to the best venue(s), after risk checks (journal first)';
  static override description = `Routes the order (--route best_price | lowest_fee | fastest | split | priority, or --venue), checks every
child order against the risk limits and the trading state, writes it to the journal with a deterministic client order
id, and only then sends it. A lost answer is settled by looking the client order id up, never by sending again.
Paper-mode venues (the default, and the demo venues) fill against the live book and keep balances in the journal.
Live venues ask for confirmation on a terminal; without one, --yes is required.

Exit codes: 0 placed, 2 bad input or nothing can be placed, 3 denied by risk, 4 a venue refused or did not answer.`;

  static override examples = [
    '<%= config.bin %> order buy BTC/USD 0.5',
    '<%= config.bin %> order buy BTC/USD 0.5 --route split --dry-run',
    '<%= config.bin %> order buy ETH-USD 2 --limit 3100 --venue simbit',
    '<%= config.bin %> order buy BTC/USD 0.1 --route priority --yes --json',
  ];

  // oclif reads a command's own static args (not inherited ones) when parsing.
  static override args = OrderCommand.args;
  static override flags = OrderCommand.flags;

  protected readonly side = 'buy' as const;

  async run(): Promise<OrderReport> {
    return this.runOrder(OrderBuy);
  }
}
