import {Args} from '@oclif/core';
import {setCostBasis, type BasisChange} from '../../core/portfolio/basis.js';
import {XarbCommand} from '../../cli/base-command.js';
import {assetArg, assetFlag, parseAmount} from '../../cli/flags.js';
import {fmtPrice} from '../../ui/format.js';

export type PnlBasisResult = BasisChange;

export default class PnlBasis extends XarbCommand<PnlBasisResult> {
  static override demoNotice = false;
  static override summary = 'Set the cost basis of holdings from before the journal (journalled; "none" clears it)';
  static override description = `Coins held before xarb's journal have no cost in it: selling them would otherwise show as "no basis".
With a basis, \`xarb pnl\` realizes (sale price - basis) on what is sold beyond the journal's own buys. The price is
per unit in --quote (default: config valuationQuote). Each change is an event in the journal; the latest one counts.`;
  static override examples = ['<%= config.bin %> pnl basis BTC 30000', '<%= config.bin %> pnl basis ETH 1800.5 --quote USDT', '<%= config.bin %> pnl basis BTC none'];

  static override args = {
    asset: assetArg({required: true}),
    price: Args.string({description: 'price per unit in --quote, or none to clear', required: true}),
  };
  static override flags = {
    quote: assetFlag({description: 'currency of the price (default: config valuationQuote)', helpValue: 'USD'}),
  };

  async run(): Promise<PnlBasisResult> {
    const {args, flags} = await this.parse(PnlBasis);
    const price = args.price.trim().toLowerCase() === 'none' ? undefined : parseAmount(args.price, 'price');
    const ctx = await this.context();
    const quote = flags.quote ?? ctx.config.valuationQuote;
    const change = setCostBasis(ctx.db, ctx.clock, args.asset, price, quote);
    this.out(price === undefined ? `cleared the cost basis of ${args.asset}` : `cost basis of ${args.asset} held before the journal: ${fmtPrice(price, quote)} ${quote}`);
    return change;
  }
}
