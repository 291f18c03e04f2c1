/**
 * The kill switch as a person uses it: `risk halt`, `risk reduce`,
 * `risk resume`, and what `risk show` reports. The change is journalled (RiskStateRepo, a `risk.state`
 * event) and, when the state really changed, reported to the alert sink.
 */
import type {AlertSink} from '../alerts/index.js';
import type {RiskConfig} from '../config/schema.js';
import type {Db} from '../journal/db.js';
import {RiskStateRepo, type TradingState, type TradingStateRecord} from '../journal/risk-state.js';
import {OrdersRepo, type UsageSnapshot} from '../journal/orders.js';
import {roundJson} from '../money/precision.js';
import type {Clock} from '../types.js';

export interface TradingStateDeps {
  readonly db: Db;
  readonly clock: Clock;
  readonly alerts?: AlertSink;
}

export async function changeTradingState(deps: TradingStateDeps, state: TradingState, reason?: string): Promise<TradingStateRecord> {
  const repo = new RiskStateRepo(deps.db, deps.clock);
  const before = repo.get().state;
  const after = repo.set(state, reason);
  if (deps.alerts && before !== state) {
    await deps.alerts.notify({
      kind: 'risk.state',
      summary: `trading state ${before} -> ${state}${reason ? ` (${reason})` : ''}`,
      data: {from: before, to: state, reason: reason ?? null},
    });
  }
  return after;
}

export interface RiskStatus {
  readonly state: TradingStateRecord;
  readonly limits: RiskConfig;
  readonly valuationQuote: string;
  /** Open/in-flight orders and today's (UTC) traded notional, from the journal. */
  readonly usage: UsageSnapshot;
}

/** `xarb risk show`: the trading state and today's usage from the journal, next to the configured limits. */
export function riskStatus(deps: {readonly db: Db; readonly clock: Clock}, config: {readonly risk: RiskConfig; readonly valuationQuote: string}): RiskStatus {
  const state = new RiskStateRepo(deps.db, deps.clock).get();
  const raw = new OrdersRepo(deps.db, deps.clock).usage();
  // Money in the JSON contract: exact decimal strings without truncation tails (docs/risk.md).
  const usage: UsageSnapshot = {...raw, dailyVolume: raw.dailyVolume.map((r) => ({...r, volume: roundJson(r.volume)})), open: raw.open.map((r) => ({...r, remaining: roundJson(r.remaining)}))};
  return {state, limits: config.risk, valuationQuote: config.valuationQuote, usage};
}
