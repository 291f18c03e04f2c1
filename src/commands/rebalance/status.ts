import {Flags} from '@oclif/core';
import {rebalanceStatus, type RebalanceStatusResult, type TransferView} from '../../core/rebalance/index.js';
import {XarbCommand} from '../../cli/base-command.js';
import {durationFlag, intervalFlag} from '../../cli/flags.js';
import {fmtAge, fmtAmount, renderTable} from '../../ui/table.js';

export type {RebalanceStatusResult} from '../../core/rebalance/index.js';

export default class RebalanceStatus extends XarbCommand<RebalanceStatusResult> {
  static override summary = 'Follow transfers between venues until they arrive';
  static override description = `Checks every transfer in flight: a deposit seen on the destination marks it arrived; a withdrawal the source
reports failed marks it failed; a withdrawal whose answer was lost is looked up in the source's history. The plan's
steps follow. Nothing is sent. With --follow it checks again every --interval until nothing is in flight (or
--timeout). Exit codes: 0 nothing in flight or all on their way, 4 a transfer failed, 6 a rebalance run holds the lock.`;

  static override examples = ['<%= config.bin %> rebalance status', '<%= config.bin %> rebalance status --follow --interval 1m --timeout 2h', '<%= config.bin %> rebalance status --json'];

  static override flags = {
    follow: Flags.boolean({description: 'keep checking until every transfer has arrived (or --timeout)', default: false}),
    interval: intervalFlag({description: 'with --follow: time between checks', default: '30s'}),
    timeout: durationFlag({description: 'with --follow: give up after this long', default: '6h'}),
    'unknown-grace': durationFlag({description: 'a withdrawal whose answer was lost and that the venue does not list after this long counts as never sent', default: '10m'}),
  };

  async run(): Promise<RebalanceStatusResult> {
    const {flags} = await this.parse(RebalanceStatus);
    const ctx = await this.context();
    const result = await rebalanceStatus(ctx, {
      ...(flags.follow ? {follow: {intervalMs: flags.interval, timeoutMs: flags.timeout}} : {}),
      unknownGraceMs: flags['unknown-grace'],
      onCheck: (status) => {
        if (flags.follow && !this.jsonEnabled() && status.inFlight.length > 0) this.note(`${status.inFlight.length} transfer(s) on their way...`);
      },
    });
    this.render(result, ctx.clock.now());
    return result;
  }

  private render(result: RebalanceStatusResult, now: number): void {
    if (this.jsonEnabled()) return;
    const row = (t: TransferView) => [t.id.split(':').slice(1).join(':') || t.id, t.asset, t.from, t.to, fmtAmount(t.amount), fmtAmount(t.received ?? t.expected), t.network ?? '-', t.mode, t.state, fmtAge(t.ageMs ?? (t.arrivedAt ? now - t.arrivedAt : undefined)), t.error ?? ''];
    const head = ['transfer', 'asset', 'from', 'to', 'amount', 'arrives', 'network', 'mode', 'state', 'age', 'note'];
    if (result.plan) {
      this.out(`Rebalance ${result.plan.id}: ${result.plan.status}`);
      this.out(renderTable({head: ['step', 'what', 'state', 'note'], rows: result.plan.steps.map((s) => [s.id, s.summary, s.state, s.error ?? '']), color: this.color}));
    }
    if (result.settled.length > 0) {
      this.out('Settled now');
      this.out(renderTable({head, rows: result.settled.map(row), color: this.color}));
    }
    if (result.inFlight.length > 0) {
      this.out('In flight');
      this.out(renderTable({head, rows: result.inFlight.map(row), color: this.color}));
    }
    if (result.timedOut) this.note('stopped following: --timeout reached with transfers still on their way');
    this.out(result.next);
  }
}
