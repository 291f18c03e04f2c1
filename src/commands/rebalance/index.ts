import {Flags} from '@oclif/core';
import {parseTargets, runRebalance, type RebalancePlan, type RebalanceResult} from '../../core/rebalance/index.js';
import type {Targets} from '../../core/rebalance/targets.js';
import {XarbCommand} from '../../cli/base-command.js';
import {durationFlag, percentFlag} from '../../cli/flags.js';
import {fmt, fmtAmount, fmtPrice, renderTable} from '../../ui/table.js';
import {rebalanceJson, renderDryRun, type RebalanceJson} from '../../ui/rebalance-json.js';

export type {RebalanceResult} from '../../core/rebalance/index.js';

/** The --json contract: the result with the plan's values, costs and prices as decimal strings (docs/rebalance.md). */
export type RebalanceCommandResult = RebalanceJson;

export default class Rebalance extends XarbCommand<RebalanceCommandResult> {
  static override summary = 'Move capital back to its target allocation across venues (shows the plan; --execute carries it out)';
  static override description = `Values every targeted venue in the valuation quote and plans the cheapest way back to the targets: which asset
to withdraw from which venue to which, on which network (enabled for withdrawal on the source and deposit on the
destination), with its fee and minimum; and trades where converting is cheaper than moving, or where --asset-targets
ask for a different mix. Venues within --threshold percentage points of their target are left alone. Reserves
(risk.reserves) are never moved. Without --execute nothing is sent.

With --execute (confirmation on a terminal for live venues; --yes without one) trades go through the order path (risk
checks, journal first) and withdrawals go to the destination venue's own deposit address (or the single matching
entry of venues.<source>.withdraw.allowlist). Live withdrawals are refused unless venues.<source>.withdraw.enabled is
true. Each step is journalled; after a failure, --execute again resumes the plan; --abandon drops it.
Follow transfers until they arrive with \`xarb rebalance status\`.

Targets come from --target or each venue's allocation in config; asset targets from --asset-targets or assetTargets;
the threshold from --threshold, rebalanceThreshold, or 5.

--dry-run runs every check --execute would run (on the plan it would run or resume) and exits with the code it would
end with, writing and sending nothing; a step the real run would stop at is printed as "would be denied: ...".

Exit codes: 0 planned / executed (or waiting for arrivals), 2 bad targets, 3 denied by risk (withdrawals not
allowed, a risk limit), 4 a venue failed or refused a step (resume with --execute), 6 another rebalance is running.`;

  static override examples = [
    '<%= config.bin %> rebalance',
    '<%= config.bin %> rebalance --target binance=40,kraken=30,okx=30 --threshold 2',
    '<%= config.bin %> rebalance --asset-targets BTC=50,USDT=50 --json',
    '<%= config.bin %> rebalance --dry-run',
    '<%= config.bin %> rebalance --execute --yes',
    '<%= config.bin %> rebalance --abandon',
  ];

  static override flags = {
    target: targetsFlag('venue')({description: "venue targets in percent, adding up to 100 (default: each venue's allocation in config)", helpValue: 'binance=40,kraken=30,okx=30'}),
    'asset-targets': targetsFlag('asset')({description: 'asset targets in percent of the value held in those assets, adding up to 100', helpValue: 'BTC=50,USD=50'}),
    threshold: percentFlag({description: 'leave venues (assets) within this many percentage points of target alone (default: rebalanceThreshold or 5)', helpValue: '5'}),
    execute: Flags.boolean({description: 'carry the plan out (or resume the unfinished one)', default: false}),
    yes: Flags.boolean({char: 'y', description: 'do not ask for confirmation (required for live venues without a terminal)', default: false}),
    'unknown-grace': durationFlag({description: 'a withdrawal whose answer was lost and that the venue does not list after this long counts as never sent (and may be sent again on resume)', default: '10m'}),
    abandon: Flags.boolean({description: 'drop the unfinished plan (steps not started are canceled; transfers already sent are still followed)', default: false, exclusive: ['execute']}),
    'dry-run': Flags.boolean({description: 'run every check --execute would (lock, transfer policy, trading state, risk limits, balances, placeability) and exit as it would; send and write nothing', default: false, exclusive: ['abandon']}),
  };

  async run(): Promise<RebalanceCommandResult> {
    const {flags} = await this.parse(Rebalance);
    const ctx = await this.withProgress('rebalance');
    await this.syncVenues(await ctx.venues());
    const result = await runRebalance(ctx, {
      ...(flags.target ? {venueTargets: flags.target} : {}),
      ...(flags['asset-targets'] ? {assetTargets: flags['asset-targets']} : {}),
      ...(flags.threshold === undefined ? {} : {thresholdPct: flags.threshold}),
      execute: flags.execute,
      abandon: flags.abandon,
      dryRun: flags['dry-run'],
      unknownGraceMs: flags['unknown-grace'],
      confirm: async (plan, info) => {
        this.stopProgress();
        const question = `${info.resuming ? 'Resume' : 'Execute'} ${plan.steps.length} step(s) on LIVE venues (cost about ${fmt(plan.totalCost)} ${plan.quote})?`;
        await this.confirmLive(info.live, {yes: flags.yes, what: 'this rebalance moves money', question});
        return true;
      },
    });
    this.stopProgress();
    for (const warning of result.warnings) this.note(`warning: ${warning}`);
    this.render(result);
    if (result.dryRun?.denial) this.wouldBeDenied(result.dryRun.denial);
    return rebalanceJson(result);
  }

  private render(result: RebalanceResult): void {
    if (this.jsonEnabled()) return;
    const c = this.chalk;
    if (result.action === 'abandoned') {
      this.out(`Abandoned rebalance ${result.unfinished?.id}. Transfers already sent are still followed by \`xarb rebalance status\`.`);
      return;
    }
    if (result.plan && result.action !== 'resumed') this.out(this.renderPlan(result.plan));
    if (result.execution) {
      const e = result.execution;
      this.out(`\n${result.action === 'resumed' ? 'Resumed' : 'Executed'} rebalance ${e.planId}: ${e.status}`);
      this.out(
        renderTable({
          head: ['step', 'what', 'state', 'note'],
          rows: e.steps.map((s) => [s.id, s.summary, stateText(c, s.state), s.error ?? (s.waitingFor.length > 0 ? `waits for ${s.waitingFor.join(', ')}` : '')]),
          color: this.color,
        }),
      );
      if (e.error) this.note(`error: ${e.error.message}${e.error.hint ? `\nhint: ${e.error.hint}` : ''}`);
      else if (e.status === 'waiting') this.out('Transfers are on their way: follow them with `xarb rebalance status --follow`, then `xarb rebalance --execute` runs what waits for them.');
      return;
    }
    if (result.action === 'planned') {
      if (result.plan && result.plan.steps.length > 0) this.out(c.bold('\nNothing was sent. Run again with --execute to carry out this plan.'));
      if (result.unfinished) this.note(`note: rebalance ${result.unfinished.id} is unfinished (${result.unfinished.status}); --execute resumes it instead of this plan, --abandon drops it`);
    }
    if (result.action === 'nothing_to_do') this.out('Nothing to do.');
    if (result.dryRun) this.out(renderDryRun(result.dryRun, this.color, c));
  }

  private renderPlan(plan: RebalancePlan): string {
    const c = this.chalk;
    const lines: string[] = [];
    const after = new Map(plan.after.venues.map((v) => [v.venue, v]));
    lines.push(`Allocation (valued in ${plan.quote}, threshold ${plan.thresholdPct} pp)`);
    lines.push(
      renderTable({
        head: ['venue', 'value', 'share', 'target', 'deviation', 'after', 'share after'],
        rows: plan.before.venues.map((v) => [
          v.venue,
          fmt(v.value),
          `${fmt(v.pct)}%`,
          `${fmt(v.target)}%`,
          v.withinThreshold ? `${signed(v.deviation)} pp` : c.yellow(`${signed(v.deviation)} pp`),
          fmt(after.get(v.venue)?.value),
          `${fmt(after.get(v.venue)?.pct)}%`,
        ]),
        align: ['left', 'right', 'right', 'right', 'right', 'right', 'right'],
        color: this.color,
      }),
    );
    if (plan.assetTargets) {
      const assetsAfter = new Map(plan.after.assets.map((a) => [a.asset, a]));
      lines.push('Assets (share of the targeted assets)');
      lines.push(
        renderTable({
          head: ['asset', 'value', 'target', 'deviation', 'value after'],
          rows: plan.before.assets.filter((a) => a.target !== undefined).map((a) => [a.asset, fmt(a.value), `${fmt(a.target)}%`, `${signed(a.deviation ?? 0)} pp`, fmt(assetsAfter.get(a.asset)?.value)]),
          align: ['left', 'right', 'right', 'right', 'right'],
          color: this.color,
        }),
      );
    }
    if (plan.balanced) {
      lines.push(c.green(`Every venue${plan.assetTargets ? ' and asset' : ''} is within ${plan.thresholdPct} pp of its target: nothing to move.`));
    }
    const transfers = plan.steps.filter((s) => s.kind === 'transfer');
    if (transfers.length > 0) {
      lines.push('Transfers');
      lines.push(
        renderTable({
          head: ['step', 'asset', 'from', 'to', 'amount', 'network', 'fee', 'minimum', 'withdraw/deposit on', 'arrives', 'cost', 'after'],
          rows: transfers.map((t) => [t.id, t.asset, t.from, t.to, fmtAmount(t.amount), t.network, fmtAmount(t.withdrawFee), fmtAmount(t.withdrawMin), `${t.withdrawEnabled ? 'yes' : 'NO'}/${t.depositEnabled ? 'yes' : 'NO'}`, fmtAmount(t.receive), fmt(t.cost), t.after.join(',') || '-']),
          align: ['left', 'left', 'left', 'left', 'right', 'left', 'right', 'right', 'center', 'right', 'right', 'left'],
          color: this.color,
        }),
      );
    }
    const trades = plan.steps.filter((s) => s.kind === 'trade');
    if (trades.length > 0) {
      lines.push('Trades');
      lines.push(
        renderTable({
          head: ['step', 'venue', 'side', 'amount', 'symbol', 'price', 'why', 'cost', 'after'],
          rows: trades.map((t) => [t.id, t.venue, t.side, fmtAmount(t.amount), t.symbol, fmtPrice(t.price), t.purpose === 'asset_target' ? 'asset target' : t.purpose === 'bridge_out' ? 'cheaper to move converted' : 'convert back', fmt(t.cost), t.after.join(',') || '-']),
          align: ['left', 'left', 'left', 'right', 'left', 'right', 'left', 'right', 'left'],
          color: this.color,
        }),
      );
    }
    if (plan.steps.length > 0) lines.push(`Total cost: about ${fmt(plan.totalCost)} ${plan.quote} (fees and half spreads at the top of the book)`);
    for (const s of plan.skipped) {
      const where = s.from ? `${s.from}${s.to ? ` -> ${s.to}` : ''}` : (s.asset ?? s.venue ?? '');
      lines.push(c.yellow(`skipped ${where}: ${fmt(s.value)} ${plan.quote} not moved (${s.reason.replaceAll('_', ' ')}): ${s.detail}`));
    }
    if (plan.unpriced.length > 0) lines.push(`not counted (no price in ${plan.quote}): ${plan.unpriced.map((u) => `${u.amount} ${u.asset} on ${u.venue}`).join(', ')}`);
    return lines.join('\n');
  }
}

function targetsFlag(kind: 'venue' | 'asset') {
  return Flags.custom<Targets>({parse: async (input) => parseTargets(input, kind)});
}

function signed(x: number): string {
  return `${x > 0 ? '+' : ''}${fmt(x)}`;
}

function stateText(c: {green: (s: string) => string; yellow: (s: string) => string; red: (s: string) => string}, state: string): string {
  if (state === 'done') return c.green(state);
  if (state === 'failed' || state === 'unknown') return c.red(state);
  if (state === 'sent' || state === 'running') return c.yellow(state === 'sent' ? 'sent (on its way)' : state);
  return state;
}
