/**
 * The kill switch as a person uses it: `risk halt`, `risk reduce`,
 * `risk resume`. The change is journalled (RiskStateRepo, a `risk.state`
 * event) and, when the state really changed, reported to the alert sink.
 */
import type {AlertSink} from '../alerts/index.js';
import type {Db} from '../journal/db.js';
import {RiskStateRepo, type TradingState, type TradingStateRecord} from '../journal/risk-state.js';
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
