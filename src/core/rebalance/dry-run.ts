/**
 * `xarb rebalance --dry-run`: every check `--execute` makes, in the same
 * order, with nothing written and nothing sent.
 *
 * Rules (docs/rebalance.md):
 * 1. The checks of the real run, in its order: the rebalance lock (held by
 *    another run -> exit 6, as the real run would stop; asked, never
 *    taken), the transfer policy of the whole plan (same mode on both ends,
 *    live withdrawals allowed in config), then the steps in plan order, each
 *    once the steps it depends on would be done.
 * 2. A trade is checked as the order path checks it: the market still
 *    listed, the amount the balances allow above the reserve, the route
 *    (placeability), client-id safety for live venues, the trading state and
 *    every risk limit (the same functions the real run calls).
 * 3. A transfer is checked for the trading state (the kill switch stops
 *    withdrawals), the free balance above reserve and fee, and for a live
 *    source the destination address (read from the venue, or the single
 *    allow-list entry) and the venue's withdrawal support.
 * 4. Balances move as the plan says they would (a trade spends and receives
 *    its planned amounts, a paper transfer arrives at once), so a step after
 *    another is checked against the balances it would find. A live transfer
 *    is not simulated as arrived: the real run stops there and waits, and so
 *    do the steps after it (`waits`).
 * 5. The first step that fails is the verdict: the real run stops there with
 *    that error's exit code; later steps are `not_reached`. Risk usage is the
 *    journal's before the run (the real run's earlier steps of the same plan
 *    would add to it).
 */
import {errorMessage, ExitCode, LockHeldError, RiskDeniedError, VenueError, XarbError} from '../errors.js';
import {dryRunDenial, prepareOrder, type OrderIntent} from '../execution/order.js';
import {assertIdempotentLive, type ExecutionEnv} from '../execution/place.js';
import {holderIsLive, readLock} from '../journal/locks.js';
import {RiskStateRepo} from '../journal/risk-state.js';
import {add, dec, div, isZero, max, mul, sub} from '../money/decimal.js';
import type {Balance} from '../types.js';
import type {Venue} from '../venues/port.js';
import {checkTransferPolicy, describeStep, tradeAmountNow, transferAmountNow, withdrawDestination, type RebalanceEnv} from './execute.js';
import type {PlanStep} from './types.js';

export type StepVerdict = 'done' | 'would_run' | 'would_send' | 'waits' | 'denied' | 'not_reached';

export interface StepCheck {
  readonly id: string;
  readonly kind: 'trade' | 'transfer';
  readonly summary: string;
  /** done: already done (a resumed plan); would_run: every check passed; would_send: a live withdrawal would go out (what waits for it is not run now); waits: waits for such a transfer; denied: the real run stops here; not_reached: after the stop. */
  readonly verdict: StepVerdict;
  /** The amount the real run would send now (less than planned when the balances allow less). */
  readonly amount: string | undefined;
  readonly error: string | undefined;
}

export interface DryRunReport {
  /** The unfinished plan `--execute` would resume, when there is one. */
  readonly resumes: string | undefined;
  readonly steps: readonly StepCheck[];
  /** The exit code the real run would end with. */
  readonly exitCode: ExitCode;
  /** The error the real run would stop with; undefined when it would go through. */
  readonly denial: XarbError | undefined;
}

/** A step of the plan with its journalled state (`pending` for a new plan). */
export interface DryRunStep {
  readonly step: PlanStep;
  readonly state: string;
}

const key = (venue: string, asset: string): string => `${venue}\u0000${asset}`;

/** The venue as the plan's earlier steps would leave it: its balances moved by `deltas`. */
function shifted(venue: Venue, deltas: ReadonlyMap<string, string>): Venue {
  const adjust = (balances: readonly Balance[]): Balance[] => {
    const out = balances.map((b) => {
      const d = deltas.get(key(venue.info.id, b.asset));
      return d === undefined ? b : {...b, free: max(0, add(b.free, d)), total: max(0, add(b.total, d))};
    });
    for (const [k, d] of deltas) {
      const [name, asset] = k.split('\u0000') as [string, string];
      if (name === venue.info.id && !out.some((b) => b.asset === asset)) out.push({asset, free: max(0, d), used: '0', total: max(0, d)});
    }
    return out;
  };
  return new Proxy(venue, {
    get(target, prop) {
      if (prop === 'fetchBalances') return async () => adjust(await target.fetchBalances());
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** The real run would stop with LockHeldError (exit 6) if another run holds the rebalance lock; this asks without taking it. */
function assertLockFree(env: RebalanceEnv): void {
  const holder = readLock(env.db, 'rebalance');
  const who = holder ? `pid ${holder.pid} on ${holder.host} since ${new Date(holder.acquiredAt).toISOString()}` : 'another process';
  if (env.db.tryLock) {
    // PostgreSQL: the server's advisory lock alone decides (journal/locks.ts); probe it and let go at once.
    if (!env.db.tryLock('rebalance')) throw new LockHeldError('rebalance', `${who} (its database session holds the lock)`);
    env.db.unlock?.('rebalance');
    return;
  }
  if (holder && holderIsLive(holder, {clock: env.clock})) throw new LockHeldError('rebalance', `${who}, lease until ${new Date(holder.leaseUntil).toISOString()}`);
}

function asXarb(error: unknown, venue: string): XarbError {
  return error instanceof XarbError ? error : new VenueError(venue, errorMessage(error));
}

/**
 * Runs the checks of `--execute` over `steps` (rules above). Reads the venues
 * and the journal; writes nothing and sends nothing.
 */
export async function dryRunPlan(env: RebalanceEnv, steps: readonly DryRunStep[], options: {readonly resumes?: string} = {}): Promise<DryRunReport> {
  assertLockFree(env);
  const checks: StepCheck[] = [];
  const verdict = (row: DryRunStep, v: StepVerdict, amount?: string, error?: string): void => {
    checks.push({id: row.step.id, kind: row.step.kind, summary: describeStep(row.step), verdict: v, amount, error});
  };
  let denial: XarbError | undefined;
  try {
    checkTransferPolicy(env, steps.map((s) => s.step));
  } catch (error) {
    denial = asXarb(error, 'rebalance');
  }

  const deltas = new Map<string, string>();
  const move = (venue: string, asset: string, amount: string): void => {
    deltas.set(key(venue, asset), add(deltas.get(key(venue, asset)) ?? '0', amount));
  };
  const venues = (): Map<string, Venue> => new Map([...env.venues].map(([n, v]) => [n, shifted(v, deltas)]));
  const reserve = (asset: string): string => {
    const r = env.config.risk.reserves?.[asset];
    return r === undefined ? '0' : dec(r);
  };
  const done = new Set(steps.filter((s) => s.state === 'done').map((s) => s.step.id));
  const waiting = new Set<string>();
  const pending = steps.filter((s) => s.state !== 'done' && s.state !== 'canceled');
  for (const s of steps) if (s.state === 'done') verdict(s, 'done');
  // In flight from an earlier run: the real run waits for their arrival.
  for (const s of pending) if (s.state === 'sent') waiting.add(s.step.id);

  for (const row of pending) {
    const step = row.step;
    if (denial) {
      verdict(row, 'not_reached');
      continue;
    }
    if (waiting.has(step.id) || step.after.some((id) => waiting.has(id))) {
      waiting.add(step.id);
      verdict(row, 'waits');
      continue;
    }
    const now = venues();
    try {
      if (step.kind === 'trade') {
        const venue = now.get(step.venue)!;
        const amount = await tradeAmountNow(venue, step, reserve(step.spend.asset));
        const exec: ExecutionEnv = {db: env.db, clock: env.clock, config: env.config, venues: now};
        const intent: OrderIntent = {symbol: step.symbol, side: step.side, amount, strategy: 'best_price', venue: step.venue};
        const prepared = await prepareOrder(exec, [venue], [...now.values()], intent);
        assertIdempotentLive(prepared.plan.children.map((c) => now.get(c.venue)));
        const refused = dryRunDenial(exec, prepared);
        if (refused) throw refused;
        const part = amount === step.amount ? '1' : div(amount, step.amount);
        move(step.venue, step.spend.asset, `-${mul(step.spend.amount, part)}`);
        move(step.venue, step.receive.asset, mul(step.receive.amount, part));
        verdict(row, 'would_run', amount);
        done.add(step.id);
        continue;
      }
      const trading = new RiskStateRepo(env.db, env.clock).get();
      if (trading.state === 'halted') {
        throw new RiskDeniedError('trading state', 'halted', `withdraw ${step.amount} ${step.asset} from ${step.from} to ${step.to}`, trading.reason ?? 'xarb risk halt');
      }
      const from = now.get(step.from)!;
      const to = now.get(step.to)!;
      const amount = await transferAmountNow(from, step, reserve(step.asset));
      move(step.from, step.asset, `-${amount}`);
      if (from.info.mode === 'paper') {
        const expected = max(0, sub(amount, step.withdrawFee));
        if (!isZero(expected)) move(step.to, step.asset, expected);
        verdict(row, 'would_run', amount);
        done.add(step.id);
        continue;
      }
      await withdrawDestination(env.config, step, to);
      if (!from.withdraw) throw new VenueError(step.from, 'cannot withdraw through its API');
      verdict(row, 'would_send', amount);
      waiting.add(step.id);
    } catch (error) {
      const venue = step.kind === 'trade' ? step.venue : step.from;
      const refused = asXarb(error, venue);
      denial = new XarbError(`step ${step.id} (${describeStep(step)}): ${refused.message}`, {exitCode: refused.exitCode, ...(refused.hint === undefined ? {} : {hint: refused.hint})});
      denial.name = refused.name;
      verdict(row, 'denied', undefined, refused.message);
    }
  }
  return {resumes: options.resumes, steps: checks, exitCode: denial ? denial.exitCode : ExitCode.ok, denial};
}
