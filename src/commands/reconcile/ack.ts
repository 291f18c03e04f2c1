import {Args, Flags} from '@oclif/core';
import {acknowledgeDiscrepancy, type AckResult} from '../../core/reconcile/history.js';
import {XarbCommand} from '../../cli/base-command.js';

export type {AckResult} from '../../core/reconcile/history.js';

export default class ReconcileAck extends XarbCommand<AckResult> {
  static override summary = 'Acknowledge a discrepancy a person has looked at, so it no longer sets the exit code';
  static override description = `For discrepancies that need a person (a fill the venue does not list, a deposit or withdrawal made outside
xarb). The acknowledgement is journalled as a reconcile.ack event with your note. Later runs still report the
discrepancy (acknowledged) but exit 0 for it. A balance difference is acknowledged for that amount only: a further
unexplained change of the same asset exits 5 again. Discrepancy ids are shown by \`xarb reconcile history\`,
\`xarb reconcile show RUN\` and \`xarb reconcile --json\`.`;

  static override examples = ['<%= config.bin %> reconcile ack 42 --note "USDT deposited by hand"', '<%= config.bin %> reconcile ack 42 --note "checked with support" --json'];

  static override args = {id: Args.integer({description: 'discrepancy id', required: true, min: 1})};
  static override flags = {
    note: Flags.string({description: 'why it is accepted (kept in the event log)', required: true, helpValue: 'TEXT'}),
  };

  async run(): Promise<AckResult> {
    const {args, flags} = await this.parse(ReconcileAck);
    const ctx = await this.context();
    const result = acknowledgeDiscrepancy(ctx.db, ctx.clock, args.id, flags.note);
    const d = result.discrepancy;
    this.out(`acknowledged discrepancy ${d.id} (${d.venue} ${d.kind} ${d.ref}${d.symbol ? ` ${d.symbol}` : ''}): ${result.note}`);
    return result;
  }
}
