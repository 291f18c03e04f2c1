/**
 * The JSON contract of `rebalance`: the planner values holdings with numbers
 * (analytics); at output values, costs and prices become exact decimal
 * strings of at most 8 decimals, percentages numbers with 2 decimals
 * (docs/rebalance.md lists the fields). Also the dry run's step table.
 */
import {roundDigits, roundJson} from '../core/money/precision.js';
import {denialView, type DenialView} from '../core/execution/order.js';
import type {DryRunReport, RebalanceResult, StepVerdict} from '../core/rebalance/index.js';
import type {ChalkInstance} from 'chalk';
import {renderTable} from './table.js';
import type {Allocation, AssetAllocation, PlanStep, RebalancePlan, SkippedMove, TradeStep, TransferStep, VenueAllocation} from '../core/rebalance/types.js';

type Replace<T, K extends keyof T, V> = Omit<T, K> & {readonly [P in K]: V};

export type AllocationJson = {
  readonly total: string;
  readonly venues: readonly Replace<VenueAllocation, 'value', string>[];
  readonly assets: readonly Replace<AssetAllocation, 'value', string>[];
};
export type PlanStepJson = Replace<TransferStep, 'value' | 'cost', string> | Replace<TradeStep, 'value' | 'cost' | 'price', string>;
export type RebalancePlanJson = Omit<RebalancePlan, 'before' | 'after' | 'steps' | 'totalCost' | 'skipped'> & {
  readonly before: AllocationJson;
  readonly after: AllocationJson;
  readonly steps: readonly PlanStepJson[];
  readonly totalCost: string;
  readonly skipped: readonly Replace<SkippedMove, 'value', string>[];
};
/** A dry run in JSON: the error the real run would stop with as `wouldBeDenied` ({name, message, hint, exitCode}). */
export type DryRunJson = Omit<DryRunReport, 'denial'> & {readonly wouldBeDenied?: DenialView};
export type RebalanceJson = Omit<RebalanceResult, 'plan' | 'dryRun'> & {readonly plan: RebalancePlanJson | undefined; readonly dryRun?: DryRunJson};

const j = (value: number): string => roundJson(value);
const pct = (value: number): number => Number(roundDigits(value, 2));
const pctOpt = (value: number | undefined): number | undefined => (value === undefined ? undefined : pct(value));

function allocationJson(a: Allocation): AllocationJson {
  return {
    total: j(a.total),
    venues: a.venues.map((v) => ({...v, value: j(v.value), pct: pct(v.pct), deviation: pct(v.deviation)})),
    assets: a.assets.map((x) => ({...x, value: j(x.value), pct: pct(x.pct), deviation: pctOpt(x.deviation)})),
  };
}

function stepJson(s: PlanStep): PlanStepJson {
  return s.kind === 'transfer' ? {...s, value: j(s.value), cost: j(s.cost)} : {...s, value: j(s.value), cost: j(s.cost), price: j(s.price)};
}

export function rebalancePlanJson(p: RebalancePlan): RebalancePlanJson {
  return {
    ...p,
    before: allocationJson(p.before),
    after: allocationJson(p.after),
    steps: p.steps.map(stepJson),
    totalCost: j(p.totalCost),
    skipped: p.skipped.map((s) => ({...s, value: j(s.value)})),
  };
}

export function rebalanceJson(r: RebalanceResult): RebalanceJson {
  const {dryRun, ...rest} = r;
  const plan = r.plan ? rebalancePlanJson(r.plan) : undefined;
  if (!dryRun) return {...rest, plan};
  const {denial, ...report} = dryRun;
  return {...rest, plan, dryRun: {...report, ...(denial ? {wouldBeDenied: denialView(denial)} : {})}};
}

const VERDICT: Record<StepVerdict, string> = {
  done: 'done already',
  would_run: 'would run',
  would_send: 'would be sent (later steps wait for it to arrive)',
  waits: 'waits for a transfer to arrive',
  denied: 'would be denied',
  not_reached: 'not reached',
};

/** The dry run's steps as a table, then what the real run would do. */
export function renderDryRun(report: DryRunReport, color: boolean, c: ChalkInstance): string {
  const rows = report.steps.map((s) => [
    s.id,
    s.summary,
    s.verdict === 'denied' ? c.red(VERDICT[s.verdict]) : s.verdict === 'would_run' || s.verdict === 'would_send' ? c.green(VERDICT[s.verdict]) : VERDICT[s.verdict],
    s.error ?? (s.amount !== undefined && s.kind === 'trade' ? `amount ${s.amount}` : s.amount !== undefined ? `withdraw ${s.amount}` : ''),
  ]);
  const head = report.resumes ? `Dry run of --execute (resumes rebalance ${report.resumes}); nothing was sent` : 'Dry run of --execute; nothing was sent';
  return [`\n${head}`, renderTable({head: ['step', 'what', 'verdict', 'note'], rows, color})].join('\n');
}
