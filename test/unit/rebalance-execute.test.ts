/**
 * The rebalance executor against hand-written fake venues and an in-memory
 * journal: policy refusals, where the address comes from, lost answers,
 * arrivals, paper transfers, and what reconcile can read.
 */
import {describe, expect, it} from 'vitest';
import {defaultConfig, type XarbConfig} from '../../src/core/config/schema.js';
import {PlanConflictError, RiskDeniedError, UsageError, VenueRejectedError, VenueUnavailableError} from '../../src/core/errors.js';
import type {Db} from '../../src/core/journal/db.js';
import {openTestJournal} from '../support/postgres.js';
import {PaperRepo} from '../../src/core/journal/paper-balances.js';
import {RiskStateRepo} from '../../src/core/journal/risk-state.js';
import {RebalanceRepo, TransfersRepo, transferEffects, transfersInFlight} from '../../src/core/journal/transfers.js';
import {abandonPlan, checkTransferPolicy, journalPlan, runPlan, type RebalanceEnv} from '../../src/core/rebalance/execute.js';
import {checkTransfers} from '../../src/core/rebalance/transfers.js';
import type {PlanStep, RebalancePlan, TransferStep} from '../../src/core/rebalance/types.js';
import type {Balance, Currency, DepositAddress, ExecutionMode, Transfer, WithdrawRequest} from '../../src/core/types.js';
import type {Venue, VenueInfo} from '../../src/core/venues/port.js';

class FakeClock {
  t = 1_000_000;
  now = () => this.t;
}

/** A venue that keeps balances, withdrawals and deposits in memory; `onWithdraw` decides each answer. */
class FakeVenue implements Venue {
  readonly info: VenueInfo;
  readonly balances = new Map<string, string>();
  readonly withdrawCalls: WithdrawRequest[] = [];
  readonly withdrawalsList: Transfer[] = [];
  readonly depositsList: Transfer[] = [];
  onWithdraw: (r: WithdrawRequest, n: number) => 'ok' | 'lost-applied' | 'lost' | 'reject' = () => 'ok';
  fetchDepositAddress?: (asset: string, network?: string) => Promise<DepositAddress>;

  constructor(
    name: string,
    mode: ExecutionMode,
    private readonly clock: FakeClock,
    addresses: boolean,
  ) {
    this.info = {id: name, exchange: 'fake', simulated: true, sandbox: false, mode, hasKeys: true, rateLimitMs: 0, capabilities: {bidsAsks: true, orderBookStream: false, positions: false, currencies: true, withdraw: true, depositAddress: addresses, transfers: true}};
    if (addresses) this.fetchDepositAddress = async (asset, network) => ({asset, network, address: `${name}-${asset}-${network}`, tag: undefined});
  }

  async fetchBalances(): Promise<readonly Balance[]> {
    return [...this.balances].map(([asset, free]) => ({asset, free, used: '0', total: free}));
  }

  async withdraw(r: WithdrawRequest): Promise<Transfer> {
    this.withdrawCalls.push(r);
    const outcome = this.onWithdraw(r, this.withdrawCalls.length);
    if (outcome === 'reject') throw new VenueRejectedError(this.info.id, 'refused');
    if (outcome === 'lost') throw new VenueUnavailableError(this.info.id, 'timeout');
    const t: Transfer = {id: `W${this.withdrawCalls.length}`, kind: 'withdrawal', asset: r.asset, amount: r.amount, network: r.network, address: r.address, txid: undefined, status: 'ok', fee: undefined, timestamp: this.clock.now()};
    this.withdrawalsList.push(t);
    if (outcome === 'lost-applied') throw new VenueUnavailableError(this.info.id, 'answer lost');
    return t;
  }

  async fetchWithdrawals(): Promise<readonly Transfer[]> {
    return this.withdrawalsList;
  }

  async fetchDeposits(): Promise<readonly Transfer[]> {
    return this.depositsList;
  }

  deposit(asset: string, amount: string, id: string): void {
    this.depositsList.push({id, kind: 'deposit', asset, amount, network: 'TRC20', address: undefined, txid: undefined, status: 'ok', fee: undefined, timestamp: this.clock.now()});
  }

  loadMarkets = async () => [];
  fetchQuotes = async () => [];
  fetchOrderBook = async (): Promise<never> => {
    throw new Error('not used');
  };
  fetchCurrencies = async (): Promise<readonly Currency[]> => [];
  createOrder = async (): Promise<never> => {
    throw new Error('not used');
  };
  cancelOrder = async () => undefined;
  fetchOrder = async () => undefined;
  fetchOpenOrders = async () => [];
  fetchClosedOrders = async () => [];
  fetchMyTrades = async () => [];
  close = async () => undefined;
}

function transfer(id: string, from: string, to: string, amount: string, extra: Partial<TransferStep> = {}): TransferStep {
  return {kind: 'transfer', id, asset: 'USDT', from, to, amount, receive: String(Number(amount) - 1), network: 'TRC20', withdrawFee: '1', withdrawMin: '10', withdrawEnabled: true, depositEnabled: true, value: Number(amount), cost: 1, after: [], ...extra};
}

function planOf(steps: PlanStep[]): RebalancePlan {
  const alloc = {total: 0, venues: [], assets: []};
  return {quote: 'USDT', thresholdPct: 5, venueTargets: {a: 50, b: 50}, assetTargets: undefined, before: alloc, after: alloc, steps, totalCost: steps.length, skipped: [], unpriced: [], balanced: false};
}

function setup(options: {mode?: ExecutionMode; withdraw?: boolean; addresses?: boolean; allowlist?: {address: string; network?: string}[]} = {}) {
  const clock = new FakeClock();
  const db: Db = openTestJournal();
  const mode = options.mode ?? 'live';
  const a = new FakeVenue('a', mode, clock, true);
  const b = new FakeVenue('b', mode, clock, options.addresses ?? true);
  a.balances.set('USDT', '10000');
  const withdraw = options.withdraw ?? true ? {enabled: true, ...(options.allowlist ? {allowlist: {USDT: options.allowlist}} : {})} : {enabled: false};
  const config: XarbConfig = {...defaultConfig, valuationQuote: 'USDT', venues: {a: {exchange: 'fake', mode, withdraw}, b: {exchange: 'fake', mode}}};
  const env: RebalanceEnv = {db, clock, config, venues: new Map<string, Venue>([['a', a], ['b', b]])};
  return {clock, db, a, b, env};
}

describe('rebalance execution: policy, checked before anything is sent', () => {
  it('refuses live withdrawals unless the source venue allows them in config (RiskDeniedError, exit 3)', () => {
    const {env, a} = setup({withdraw: false});
    expect(() => journalPlan(env, planOf([transfer('s1', 'a', 'b', '500')]), 'k')).toThrow(RiskDeniedError);
    expect(a.withdrawCalls).toEqual([]);
    expect(new RebalanceRepo(env.db, env.clock).list()).toEqual([]);
  });

  it('never moves between a paper venue and a live one', () => {
    const {env, clock} = setup();
    const paper = new FakeVenue('p', 'paper', clock, true);
    const venues = new Map(env.venues);
    venues.set('p', paper);
    expect(() => checkTransferPolicy({...env, venues}, [transfer('s1', 'a', 'p', '500')])).toThrow(UsageError);
  });
});

describe('rebalance execution: live transfers', () => {
  it("sends to the destination venue's own address for the network and marks the step done when the deposit arrives", async () => {
    const {env, a, b} = setup();
    const id = journalPlan(env, planOf([transfer('s1', 'a', 'b', '500')]), 'k');
    const report = await runPlan(env, id);
    expect(a.withdrawCalls).toEqual([{asset: 'USDT', amount: '500', address: 'b-USDT-TRC20', network: 'TRC20'}]);
    expect(report.status).toBe('waiting');
    expect(report.steps[0]!.state).toBe('sent');
    expect(transfersInFlight(env.db)).toMatchObject([{from: 'a', to: 'b', amount: '500', expected: '499', state: 'sent'}]);

    b.deposit('USDT', '499', 'D1');
    const status = await checkTransfers(env);
    expect(status.settled.map((t) => [t.state, t.received])).toEqual([['arrived', '499']]);
    expect(status.inFlight).toEqual([]);
    expect(new RebalanceRepo(env.db, env.clock).get(id)!.status).toBe('done');
    expect(transferEffects(env.db, 'a', 0).get('USDT')).toBe('-500');
    expect(transferEffects(env.db, 'b', 0).get('USDT')).toBe('499');
  });

  it('one deposit settles one transfer', async () => {
    const {env, a, b} = setup();
    const id = journalPlan(env, planOf([transfer('s1', 'a', 'b', '500'), transfer('s2', 'a', 'b', '500')]), 'k');
    await runPlan(env, id);
    expect(a.withdrawCalls).toHaveLength(2);
    b.deposit('USDT', '499', 'D1');
    const status = await checkTransfers(env);
    expect(status.settled).toHaveLength(1);
    expect(status.inFlight).toHaveLength(1);
  });

  it('uses the single allow-listed address when the destination gives none, and refuses when it is ambiguous', async () => {
    const one = setup({addresses: false, allowlist: [{address: 'T-allowed', network: 'TRC20'}, {address: '0x-other', network: 'ERC20'}]});
    await runPlan(one.env, journalPlan(one.env, planOf([transfer('s1', 'a', 'b', '500')]), 'k'));
    expect(one.a.withdrawCalls.map((c) => c.address)).toEqual(['T-allowed']);
    expect(new TransfersRepo(one.env.db, one.env.clock).list()[0]!.addressSource).toBe('allowlist');

    const two = setup({addresses: false, allowlist: [{address: 'T-1'}, {address: 'T-2', network: 'TRC20'}]});
    const report = await runPlan(two.env, journalPlan(two.env, planOf([transfer('s1', 'a', 'b', '500')]), 'k'));
    expect(two.a.withdrawCalls).toEqual([]);
    expect(report.steps[0]!.state).toBe('failed');
    expect(report.exitCode).toBe(2);
  });

  it('a lost answer stays unknown (never re-sent) until the venue lists the withdrawal, then counts as sent', async () => {
    const {env, a} = setup();
    a.onWithdraw = () => 'lost-applied';
    const id = journalPlan(env, planOf([transfer('s1', 'a', 'b', '500')]), 'k');
    const first = await runPlan(env, id);
    expect(first.steps[0]!.state).toBe('unknown');
    expect(first.exitCode).toBe(4);
    const resumed = await runPlan(env, id, {resumed: true});
    expect(resumed.steps[0]!.state).toBe('sent');
    expect(a.withdrawCalls).toHaveLength(1);
    expect(resumed.transfers[0]!.withdrawalId).toBe('W1');
  });

  it('a withdrawal the venue never lists is tried again only after the grace period, with a new id', async () => {
    const {env, a, clock} = setup();
    a.onWithdraw = (_r, n) => (n === 1 ? 'lost' : 'ok');
    const id = journalPlan(env, {...planOf([transfer('s1', 'a', 'b', '500')])}, 'k');
    await runPlan(env, id);
    clock.t += 60_000;
    const early = await runPlan({...env, unknownGraceMs: 10 * 60_000}, id, {resumed: true});
    expect(early.steps[0]!.state).toBe('unknown');
    expect(a.withdrawCalls).toHaveLength(1);
    clock.t += 10 * 60_000;
    const late = await runPlan({...env, unknownGraceMs: 10 * 60_000}, id, {resumed: true});
    expect(late.steps[0]!.state).toBe('sent');
    expect(a.withdrawCalls).toHaveLength(2);
    expect(late.transfers.map((t) => t.state)).toEqual(['failed', 'sent']);
    expect(new Set(late.transfers.map((t) => t.id)).size).toBe(2);
  });

  it('stops at the first refused step and resumes from it: a step already done is not repeated', async () => {
    const {env, a} = setup();
    a.onWithdraw = (_r, n) => (n === 2 ? 'reject' : 'ok');
    const id = journalPlan(env, planOf([transfer('s1', 'a', 'b', '500'), transfer('s2', 'a', 'b', '600'), transfer('s3', 'a', 'b', '700')]), 'k');
    const first = await runPlan(env, id);
    expect(first.steps.map((s) => s.state)).toEqual(['sent', 'failed', 'pending']);
    expect(first.exitCode).toBe(4);
    const resumed = await runPlan(env, id, {resumed: true});
    expect(resumed.steps.map((s) => s.state)).toEqual(['sent', 'sent', 'sent']);
    expect(a.withdrawCalls.map((c) => c.amount)).toEqual(['500', '600', '600', '700']);
  });

  it('a direct move is never shrunk to fit: with less free than planned it fails and nothing is sent', async () => {
    const {env, a} = setup();
    a.balances.set('USDT', '400');
    const id = journalPlan(env, planOf([transfer('s1', 'a', 'b', '500')]), 'k');
    const refused = await runPlan(env, id);
    expect(refused.steps[0]!.state).toBe('failed');
    expect(refused.exitCode).toBe(4);
    expect(a.withdrawCalls).toEqual([]);
  });
});

describe('rebalance execution: abandoning', () => {
  it('cancels the steps not started, keeps following what was sent, and frees the way for a new plan', async () => {
    const {env, a} = setup();
    a.onWithdraw = (_r, n) => (n === 2 ? 'reject' : 'ok');
    const id = journalPlan(env, planOf([transfer('s1', 'a', 'b', '500'), transfer('s2', 'a', 'b', '600'), transfer('s3', 'a', 'b', '700')]), 'k');
    await runPlan(env, id);
    expect(() => journalPlan(env, planOf([transfer('s1', 'a', 'b', '100')]), 'k2')).toThrow(PlanConflictError);
    const dropped = abandonPlan(env)!;
    expect(dropped.status).toBe('abandoned');
    expect(dropped.steps.map((s) => s.state)).toEqual(['sent', 'canceled', 'canceled']);
    expect(transfersInFlight(env.db).map((t) => t.amount)).toEqual(['500']);
    expect(abandonPlan(env)).toBeUndefined();
    expect(journalPlan(env, planOf([transfer('s1', 'a', 'b', '100')]), 'k2')).toMatch(/^rebalance-/);
  });
});

describe('rebalance execution: paper transfers', () => {
  it('moves paper balances at once: the source loses the amount, the destination gains it minus the fee', async () => {
    const {env, db, a} = setup({mode: 'paper'});
    const paper = new PaperRepo(db);
    paper.seed('a', {USDT: '1000'});
    paper.seed('b', {USDT: '5'});
    a.fetchBalances = async () => paper.balances('a');
    const id = journalPlan(env, planOf([transfer('s1', 'a', 'b', '500')]), 'k');
    const report = await runPlan(env, id);
    expect(report.status).toBe('done');
    expect(a.withdrawCalls).toEqual([]);
    expect(paper.balance('a', 'USDT').free).toBe('500');
    expect(paper.balance('b', 'USDT').free).toBe('504');
    expect(report.transfers).toMatchObject([{mode: 'paper', state: 'arrived', amount: '500', received: '499'}]);
    expect(transfersInFlight(db)).toEqual([]);
  });

  it('the kill switch stops withdrawals: nothing moves while halted, and the plan resumes after resume', async () => {
    const {env, db, a} = setup({mode: 'paper'});
    const paper = new PaperRepo(db);
    paper.seed('a', {USDT: '1000'});
    paper.seed('b', {USDT: '5'});
    a.fetchBalances = async () => paper.balances('a');
    const state = new RiskStateRepo(db, env.clock);
    state.set('halted', 'test');
    const id = journalPlan(env, planOf([transfer('s1', 'a', 'b', '500')]), 'k');
    await expect(runPlan(env, id)).rejects.toBeInstanceOf(RiskDeniedError);
    expect(paper.balance('a', 'USDT').free).toBe('1000');
    state.set('active', 'test');
    const report = await runPlan(env, id);
    expect(report.status).toBe('done');
    expect(paper.balance('a', 'USDT').free).toBe('500');
  });
});

