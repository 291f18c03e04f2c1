import {describe, expect, it} from 'vitest';
import {ExitCode, UsageError} from '../../src/core/errors.js';
import {planRebalance} from '../../src/core/rebalance/planner.js';
import type {PlanInput, TradeStep, TransferStep, VenueSnapshot} from '../../src/core/rebalance/types.js';
import type {Balance, Currency, Market, Network, Quote} from '../../src/core/types.js';

// Hand-built portfolios. Valuation quote USD; USDT and USDC are priced at 1, BTC at 50,000, ETH at 2,000.
const PRICES = {USDT: 1, USDC: 1, BTC: 50_000, ETH: 2_000};

function bal(asset: string, free: string, total = free): Balance {
  return {asset, free, used: String(Number(total) - Number(free)), total};
}

function net(network: string, fee: number | undefined, min?: number, flags: Partial<Pick<Network, 'withdrawEnabled' | 'depositEnabled'>> = {}): Network {
  return {network, withdrawEnabled: flags.withdrawEnabled ?? true, depositEnabled: flags.depositEnabled ?? true, withdrawFee: fee, withdrawMin: min};
}

function cur(code: string, ...networks: Network[]): Currency {
  return {code, id: code, name: undefined, networks};
}

/** USDT: fee 1, min 10 (TRC20); USDC: fee 2, min 10; BTC: fee 0.001 (= $50), min 0.001; ETH: fee 0.01 (= $20). */
const STANDARD: readonly Currency[] = [cur('USDT', net('TRC20', 1, 10)), cur('USDC', net('ERC20', 2, 10)), cur('BTC', net('BTC', 0.001, 0.001)), cur('ETH', net('ERC20', 0.01, 0.01))];

function market(base: string, quote: string, taker = 0.001, amountStep = 0.0001): Market {
  return {symbol: `${base}/${quote}`, id: `${base}${quote}`, base, quote, baseId: base, quoteId: quote, type: 'spot', active: true, taker, maker: taker, amountStep, priceStep: 0.01, minAmount: undefined, maxAmount: undefined, minCost: undefined};
}

function quote(symbol: string, bid: number, ask: number): Quote {
  return {venue: 'x', symbol, bid, bidSize: 10, ask, askSize: 10, timestamp: 0, receivedAt: 0};
}

function venue(name: string, balances: Balance[], extra: Partial<VenueSnapshot> = {}): VenueSnapshot {
  return {venue: name, balances, currencies: STANDARD, markets: [], quotes: [], ...extra};
}

function input(venues: VenueSnapshot[], rest: Partial<PlanInput> = {}): PlanInput {
  return {quote: 'USD', prices: PRICES, venues, venueTargets: Object.fromEntries(venues.map((v) => [v.venue, 100 / venues.length])), thresholdPct: 5, ...rest};
}

const transfers = (steps: readonly unknown[]) => steps.filter((s): s is TransferStep => (s as TransferStep).kind === 'transfer');
const trades = (steps: readonly unknown[]) => steps.filter((s): s is TradeStep => (s as TradeStep).kind === 'trade');

describe('planRebalance: venue targets', () => {
  it('moves the surplus to the two venues below target, one withdrawal each', () => {
    // total 10,000; targets 4,000 / 3,000 / 3,000; a is +20pp, b and c -10pp each.
    const plan = planRebalance(
      input([venue('a', [bal('USDT', '6000')]), venue('b', [bal('USDT', '2000')]), venue('c', [bal('USDT', '2000')])], {venueTargets: {a: 40, b: 30, c: 30}}),
    );
    expect(plan.balanced).toBe(false);
    expect(plan.steps.map((s) => s.kind === 'transfer' && [s.from, s.to, s.asset, s.amount, s.receive, s.network, s.withdrawFee])).toEqual([
      ['a', 'b', 'USDT', '1000', '999', 'TRC20', '1'],
      ['a', 'c', 'USDT', '1000', '999', 'TRC20', '1'],
    ]);
    expect(plan.totalCost).toBeCloseTo(2, 9);
    expect(plan.before.venues.map((v) => [v.venue, v.pct])).toEqual([['a', 60], ['b', 20], ['c', 20]]);
    expect(plan.after.total).toBeCloseTo(9998, 9);
    expect(plan.after.venues.map((v) => v.value)).toEqual([4000, 2999, 2999]);
    expect(plan.skipped).toEqual([]);
  });

  it('moves the asset with the lowest withdrawal fee that covers the value', () => {
    // a: 0.2 BTC (10,000) + 8,000 USDT = 18,000; b: 4,000. 50/50 of 22,000 -> a sends 7,000.
    // USDT costs $1 to move, BTC $50: one USDT withdrawal (7,000 + the 1 USDT fee are free on a).
    const plan = planRebalance(input([venue('a', [bal('BTC', '0.2'), bal('USDT', '8000')]), venue('b', [bal('USDT', '4000')])]));
    expect(transfers(plan.steps).map((t) => [t.asset, t.amount])).toEqual([['USDT', '7000']]);
    expect(plan.totalCost).toBeCloseTo(1, 9);
    // With only 7,000 USDT, the fee would not fit on top: BTC it is (0.14 BTC + 0.001 fee).
    const tight = planRebalance(input([venue('a', [bal('BTC', '0.2'), bal('USDT', '7000')]), venue('b', [bal('USDT', '3000')])]));
    expect(transfers(tight.steps).map((t) => [t.asset, t.amount])).toEqual([['BTC', '0.14']]);
  });

  it('leaves venues within the threshold alone', () => {
    // a is 54%, b 46%: 4pp off target.
    const venues = [venue('a', [bal('USDT', '5400')]), venue('b', [bal('USDT', '4600')])];
    const plan = planRebalance(input(venues, {thresholdPct: 5}));
    expect(plan.balanced).toBe(true);
    expect(plan.steps).toEqual([]);
    expect(plan.before.venues.every((v) => v.withinThreshold)).toBe(true);
    const tighter = planRebalance(input(venues, {thresholdPct: 3}));
    expect(transfers(tighter.steps).map((t) => [t.from, t.to, t.amount])).toEqual([['a', 'b', '400']]);
  });

  it('brings out-of-threshold venues to target, and lets a venue within the threshold absorb the rest', () => {
    // total 10,000; targets 4,000/3,000/3,000. a +12pp (out), b -2pp (within), c -10pp (out).
    // a sends 1,200: 1,000 to c (out), the remaining 200 to b.
    const plan = planRebalance(
      input([venue('a', [bal('USDT', '5200')]), venue('b', [bal('USDT', '2800')]), venue('c', [bal('USDT', '2000')])], {venueTargets: {a: 40, b: 30, c: 30}}),
    );
    expect(transfers(plan.steps).map((t) => [t.from, t.to, t.amount])).toEqual([
      ['a', 'c', '1000'],
      ['a', 'b', '200'],
    ]);
  });

  it('converts before moving when that is cheaper than the withdrawal fee, and converts back on arrival', () => {
    // a holds only BTC (0.4 = 20,000), b nothing; a must send 10,000. Moving BTC costs 0.001 BTC = $50.
    // Bridge through USDT (no spread, 0.1% taker):
    //   sell 0.2 BTC at 50,000 -> 9,990 USDT (cost 10); withdraw 9,989 USDT, keeping the 1 USDT fee free -> 9,988 arrive;
    //   buy floor(9,988 / 50,050, 0.0001) = 0.1995 BTC for 9,984.975 USDT (cost 9.975). Total 20.975 < 50.
    const books = {markets: [market('BTC', 'USDT')], quotes: [quote('BTC/USDT', 50_000, 50_000)]};
    const plan = planRebalance(input([venue('a', [bal('BTC', '0.4')], books), venue('b', [], books)]));
    const [out, move, back] = plan.steps;
    expect(out).toMatchObject({kind: 'trade', venue: 'a', symbol: 'BTC/USDT', side: 'sell', amount: '0.2', purpose: 'bridge_out', after: []});
    expect(move).toMatchObject({kind: 'transfer', from: 'a', to: 'b', asset: 'USDT', amount: '9989', receive: '9988', after: [out!.id]});
    expect(back).toMatchObject({kind: 'trade', venue: 'b', symbol: 'BTC/USDT', side: 'buy', amount: '0.1995', purpose: 'bridge_in', after: [move!.id]});
    expect(plan.totalCost).toBeCloseTo(20.975, 6);
    expect(plan.after.total).toBeCloseTo(20_000 - 20.975, 6);
  });

  it('costs trades against each venue\'s own mid, so a price gap between venues never reads as a gain', () => {
    // a's BTC/USDT trades at 52,000, b's at 50,000 (reference price 50,000); no spread, 0.1% taker.
    //   sell 0.2 BTC on a -> 10,389.6 USDT; cost against a's mid 10,400 - 10,389.6 = 10.4
    //   withdraw 10,388.6 USDT (1 kept for the fee) -> 10,387.6 arrive
    //   buy floor(10,387.6 / 50,050, 0.0001) = 0.2075 BTC for 10,385.375; cost 10,385.375 - 10,375 = 10.375
    const plan = planRebalance(
      input([
        venue('a', [bal('BTC', '0.4')], {markets: [market('BTC', 'USDT')], quotes: [quote('BTC/USDT', 52_000, 52_000)]}),
        venue('b', [], {markets: [market('BTC', 'USDT')], quotes: [quote('BTC/USDT', 50_000, 50_000)]}),
      ]),
    );
    expect(plan.steps.map((s) => s.cost)).toEqual([expect.closeTo(10.4, 6), expect.closeTo(1, 9), expect.closeTo(10.375, 6)]);
    expect(plan.totalCost).toBeCloseTo(21.775, 6);
  });

  it('moves directly when converting would cost more than the fee', () => {
    // a holds 4 BTC (200,000); sends 100,000. Moving 2 BTC costs $50; converting ~ $200 a side.
    const books = {markets: [market('BTC', 'USDT')], quotes: [quote('BTC/USDT', 50_000, 50_000)]};
    const plan = planRebalance(input([venue('a', [bal('BTC', '4')], books), venue('b', [], books)]));
    expect(plan.steps.map((s) => s.kind === 'transfer' && [s.asset, s.amount, s.receive])).toEqual([['BTC', '2', '1.999']]);
    expect(plan.totalCost).toBeCloseTo(50, 9);
  });

  it('prefers one withdrawal that covers the value over several, and splits only when it must', () => {
    // a = 300 USDT + 700 USDC + 0.5 ETH (1,000) = 2,000; b = 1,000; a sends 500.
    // USDT ($1) covers only 300; USDC ($2) covers 500 alone -> one USDC withdrawal.
    const one = planRebalance(input([venue('a', [bal('USDT', '300'), bal('USDC', '700'), bal('ETH', '0.5')]), venue('b', [bal('USDT', '1000')])]));
    expect(transfers(one.steps).map((t) => [t.asset, t.amount])).toEqual([['USDC', '500']]);
    expect(one.totalCost).toBeCloseTo(2, 9);
    // a = 300 USDT + 500 USDC = 800; targets a=20, b=80 -> a sends 640. Neither asset covers it.
    // Per value moved USDT is cheaper ($1 for 299, keeping its fee free) than USDC ($2 for 498):
    // 299 USDT first, then the remaining 341 as USDC.
    const split = planRebalance(input([venue('a', [bal('USDT', '300'), bal('USDC', '500')]), venue('b', [])], {venueTargets: {a: 20, b: 80}}));
    expect(transfers(split.steps).map((t) => [t.asset, t.amount])).toEqual([
      ['USDT', '299'],
      ['USDC', '341'],
    ]);
    expect(split.totalCost).toBeCloseTo(3, 9);
  });

  it('skips a move below the withdrawal minimum and says why', () => {
    // 5,200 / 4,800 with a 1pp threshold: 200 USDT to move but the minimum is 500.
    const currencies = [cur('USDT', net('TRC20', 1, 500))];
    const plan = planRebalance(input([venue('a', [bal('USDT', '5200')], {currencies}), venue('b', [bal('USDT', '4800')], {currencies})], {thresholdPct: 1}));
    expect(plan.steps).toEqual([]);
    expect(plan.balanced).toBe(false);
    expect(plan.skipped).toMatchObject([{reason: 'below_minimum', from: 'a', to: 'b', asset: 'USDT'}]);
    expect(plan.skipped[0]!.value).toBeCloseTo(200, 9);
  });

  it('does not use a network disabled on either end', () => {
    const noDeposit = [cur('USDT', net('TRC20', 1, 10, {depositEnabled: false}))];
    const plan = planRebalance(input([venue('a', [bal('USDT', '6000')]), venue('b', [bal('USDT', '4000')], {currencies: noDeposit})], {thresholdPct: 1}));
    expect(plan.steps).toEqual([]);
    expect(plan.skipped).toMatchObject([{reason: 'network_disabled', from: 'a', to: 'b'}]);

    // Two networks: the cheaper one is disabled for withdrawal, so the other one is used.
    const two = [cur('USDT', net('TRC20', 1, 10, {withdrawEnabled: false}), net('ERC20', 5, 10))];
    const plan2 = planRebalance(input([venue('a', [bal('USDT', '6000')], {currencies: two}), venue('b', [bal('USDT', '4000')], {currencies: two})], {thresholdPct: 1}));
    expect(transfers(plan2.steps).map((t) => [t.network, t.withdrawFee, t.withdrawEnabled, t.depositEnabled])).toEqual([['ERC20', '5', true, true]]);
  });

  it('moves what it can when funds are locked in orders, and reports the rest', () => {
    // a holds 6,000 USDT but only 100 free; b 4,000. a must send 1,000.
    const plan = planRebalance(input([venue('a', [bal('USDT', '100', '6000')]), venue('b', [bal('USDT', '4000')])], {thresholdPct: 1}));
    expect(transfers(plan.steps).map((t) => t.amount)).toEqual(['99']); // 1 USDT stays free for the fee
    expect(plan.skipped).toMatchObject([{reason: 'insufficient_funds', from: 'a', to: 'b'}]);
    expect(plan.skipped[0]!.value).toBeCloseTo(901, 9);
  });

  it('never moves a reserve', () => {
    const plan = planRebalance(input([venue('a', [bal('USDT', '6000')]), venue('b', [bal('USDT', '4000')])], {thresholdPct: 1, reserves: {USDT: '5500'}}));
    expect(transfers(plan.steps).map((t) => t.amount)).toEqual(['499']);
    expect(plan.skipped).toMatchObject([{reason: 'insufficient_funds', from: 'a'}]);
    expect(plan.skipped[0]!.value).toBeCloseTo(501, 9);
  });

  it('refuses to plan a move whose fee eats it', () => {
    const currencies = [cur('USDT', net('TRC20', 300))];
    const plan = planRebalance(input([venue('a', [bal('USDT', '5200')], {currencies}), venue('b', [bal('USDT', '4800')], {currencies})], {thresholdPct: 1}));
    expect(plan.steps).toEqual([]);
    expect(plan.skipped).toMatchObject([{reason: 'fee_exceeds_amount'}]);
  });

  it('cannot move to or from a venue that does not report networks', () => {
    const plan = planRebalance(input([venue('a', [bal('USDT', '6000')]), venue('b', [bal('USDT', '4000')], {currencies: []})], {thresholdPct: 1}));
    expect(plan.steps).toEqual([]);
    expect(plan.skipped).toMatchObject([{reason: 'no_currency_data', from: 'a', to: 'b'}]);
  });

  it('counts transfers in transit on their destination', () => {
    const venues = [venue('a', [bal('USDT', '5000')]), venue('b', [bal('USDT', '3000')])];
    expect(planRebalance(input(venues, {inTransit: [{to: 'b', asset: 'USDT', amount: '2000'}]})).balanced).toBe(true);
    expect(transfers(planRebalance(input(venues)).steps).map((t) => t.amount)).toEqual(['1000']);
  });

  it('lists holdings without a price and leaves them out', () => {
    const plan = planRebalance(input([venue('a', [bal('USDT', '5000'), bal('DOGE', '1000')]), venue('b', [bal('USDT', '5000')])]));
    expect(plan.unpriced).toEqual([{venue: 'a', asset: 'DOGE', amount: '1000'}]);
    expect(plan.before.total).toBe(10_000);
    expect(plan.balanced).toBe(true);
  });

  it('leaves venues without a target out, and counts a targeted venue with nothing as empty', () => {
    const plan = planRebalance(input([venue('a', [bal('USDT', '1000')]), venue('other', [bal('USDT', '9000')])], {venueTargets: {a: 50, b: 50}}));
    expect(plan.before.total).toBe(1000);
    expect(plan.before.venues.map((v) => v.venue)).toEqual(['a', 'b']);
    expect(transfers(plan.steps)).toEqual([]); // b has no snapshot: no networks known
    expect(plan.skipped).toMatchObject([{reason: 'no_currency_data', from: 'a', to: 'b'}]);
  });
});

describe('planRebalance: input errors', () => {
  it('rejects venue targets that do not add up to 100 with a usage error (exit 2)', () => {
    const run = () => planRebalance(input([venue('a', []), venue('b', [])], {venueTargets: {a: 40, b: 30}}));
    expect(run).toThrow(UsageError);
    try {
      run();
    } catch (error) {
      expect((error as UsageError).exitCode).toBe(ExitCode.usage);
    }
  });

  it('rejects asset targets that do not add up to 100, and a negative threshold', () => {
    expect(() => planRebalance(input([venue('a', [])], {venueTargets: {a: 100}, assetTargets: {BTC: 60, USDT: 60}}))).toThrow(UsageError);
    expect(() => planRebalance(input([venue('a', [])], {venueTargets: {a: 100}, thresholdPct: -1}))).toThrow(UsageError);
  });
});

describe('planRebalance: asset targets', () => {
  const books = {
    markets: [market('BTC', 'USDT'), market('ETH', 'USDT'), market('ETH', 'BTC', 0.002)],
    quotes: [quote('BTC/USDT', 49_950, 50_050), quote('ETH/USDT', 1_999, 2_001), quote('ETH/BTC', 0.0399, 0.0401)],
  };

  it('sells the overweight asset for the underweight one with one trade', () => {
    // One venue (its target is 100%). BTC 0.3 = 15,000, USDT 5,000: 75/25 against 50/50 -> sell 5,000 of BTC.
    // sell 0.1 BTC at the 49,950 bid, taker 0.1%: 4,990.005 USDT; cost 5,000 - 4,990.005 = 9.995.
    const plan = planRebalance(input([venue('a', [bal('BTC', '0.3'), bal('USDT', '5000')], books)], {venueTargets: {a: 100}, assetTargets: {BTC: 50, USDT: 50}}));
    expect(trades(plan.steps).map((t) => [t.venue, t.symbol, t.side, t.amount, t.purpose])).toEqual([['a', 'BTC/USDT', 'sell', '0.1', 'asset_target']]);
    expect(plan.totalCost).toBeCloseTo(9.995, 6);
    expect(plan.before.assets.find((a) => a.asset === 'BTC')).toMatchObject({target: 50, deviation: 25});
  });

  it('picks the venue with the cheaper market', () => {
    // Both venues hold BTC; b's BTC/USDT spread is wider, so the sale happens on a.
    const wide = {markets: [market('BTC', 'USDT')], quotes: [quote('BTC/USDT', 49_000, 51_000)]};
    const plan = planRebalance(
      input([venue('a', [bal('BTC', '0.2'), bal('USDT', '0')], books), venue('b', [bal('BTC', '0.2')], wide)], {assetTargets: {BTC: 50, USDT: 50}}),
    );
    expect(trades(plan.steps).map((t) => [t.venue, t.symbol, t.side, t.amount])).toEqual([['a', 'BTC/USDT', 'sell', '0.2']]);
  });

  it('goes through an intermediate asset when that is the only (or cheapest) path', () => {
    // BTC -> ETH: direct ETH/BTC costs 0.2% fee + 0.25% half spread; through USDT 2 x (0.1% + ~0.1%/0.05%).
    const onlyUsdt = {markets: [market('BTC', 'USDT'), market('ETH', 'USDT')], quotes: [quote('BTC/USDT', 49_950, 50_050), quote('ETH/USDT', 1_999, 2_001)]};
    const plan = planRebalance(input([venue('a', [bal('BTC', '0.3'), bal('ETH', '2.5')], onlyUsdt)], {venueTargets: {a: 100}, assetTargets: {BTC: 50, ETH: 50}}));
    const legs = trades(plan.steps);
    expect(legs.map((t) => [t.symbol, t.side])).toEqual([
      ['BTC/USDT', 'sell'],
      ['ETH/USDT', 'buy'],
    ]);
    expect(legs[1]!.after).toEqual([legs[0]!.id]);
  });

  it('leaves assets without a target alone and respects the threshold', () => {
    const plan = planRebalance(
      input([venue('a', [bal('BTC', '0.1'), bal('USDT', '5200'), bal('ETH', '100')], books)], {venueTargets: {a: 100}, assetTargets: {BTC: 50, USDT: 50}}),
    );
    // BTC 5,000 vs USDT 5,200: 49.0% / 51.0% of the targeted 10,200, within 5pp. ETH is not targeted.
    expect(plan.balanced).toBe(true);
    expect(plan.steps).toEqual([]);
  });

  it('reports an asset conversion no market allows', () => {
    const plan = planRebalance(input([venue('a', [bal('BTC', '0.3'), bal('USDC', '5000')], books)], {venueTargets: {a: 100}, assetTargets: {BTC: 50, USDC: 50}}));
    expect(plan.steps).toEqual([]);
    expect(plan.skipped).toMatchObject([{reason: 'no_market', asset: 'BTC'}]);
  });
});

describe('planRebalance: invariants on random portfolios', () => {
  function rng(seed: number) {
    let s = seed >>> 0;
    return () => {
      s = (s * 1664525 + 1013904223) >>> 0;
      return s / 2 ** 32;
    };
  }

  it('never spends a reserve, never plans a transfer below its minimum or on a closed network, and its cost is what the portfolio loses', () => {
    const books = {
      markets: [market('BTC', 'USDT'), market('ETH', 'USDT')],
      quotes: [quote('BTC/USDT', 49_900, 50_100), quote('ETH/USDT', 1_998, 2_002)],
    };
    const kinds = new Map<string, number>();
    for (let seed = 1; seed <= 200; seed++) {
      const r = rng(seed);
      const names = ['a', 'b', 'c', 'd'];
      const currencies = (): Currency[] => [
        cur('USDT', net('TRC20', 1 + Math.floor(r() * 5), 10 + Math.floor(r() * 500), {depositEnabled: r() > 0.1, withdrawEnabled: r() > 0.1})),
        cur('BTC', net('BTC', 0.0005, 0.001 + r() * 0.01)),
        cur('ETH', net('ERC20', 0.005, 0.01, {depositEnabled: r() > 0.2})),
      ];
      const venues = names.map((name) =>
        venue(name, [bal('USDT', (r() * 20_000).toFixed(2)), bal('BTC', (r() * 0.5).toFixed(6)), bal('ETH', (r() * 5).toFixed(4))], {...books, currencies: currencies()}),
      );
      const cuts = [r(), r(), r()].sort();
      const pcts = [cuts[0]!, cuts[1]! - cuts[0]!, cuts[2]! - cuts[1]!, 1 - cuts[2]!].map((x) => Math.round(x * 10_000) / 100);
      pcts[3] = Math.round((100 - pcts[0]! - pcts[1]! - pcts[2]!) * 100) / 100;
      const reserves = {USDT: String(Math.floor(r() * 2000)), BTC: '0.01'};
      const plan = planRebalance(input(venues, {venueTargets: Object.fromEntries(names.map((n, i) => [n, pcts[i]!])), thresholdPct: r() * 5, reserves}));

      const spentFromFree = new Map<string, number>();
      const key = (v: string, a: string) => `${v}:${a}`;
      for (const step of plan.steps) {
        if (step.kind === 'transfer') {
          const fromCur = venues.find((v) => v.venue === step.from)!.currencies.find((c) => c.code === step.asset)!;
          const toCur = venues.find((v) => v.venue === step.to)!.currencies.find((c) => c.code === step.asset)!;
          const n = fromCur.networks.find((x) => x.network === step.network)!;
          expect(n.withdrawEnabled && toCur.networks.find((x) => x.network === step.network)!.depositEnabled).toBe(true);
          expect(Number(step.amount)).toBeGreaterThanOrEqual(n.withdrawMin ?? 0);
          expect(Number(step.amount)).toBeGreaterThan(n.withdrawFee!);
          spentFromFree.set(key(step.from, step.asset), (spentFromFree.get(key(step.from, step.asset)) ?? 0) + Number(step.amount));
        } else if (step.purpose !== 'bridge_in') {
          spentFromFree.set(key(step.venue, step.spend.asset), (spentFromFree.get(key(step.venue, step.spend.asset)) ?? 0) + Number(step.spend.amount));
          spentFromFree.set(key(step.venue, step.receive.asset), (spentFromFree.get(key(step.venue, step.receive.asset)) ?? 0) - Number(step.receive.amount));
        }
      }
      for (const v of venues) {
        for (const b of v.balances) {
          const spent = spentFromFree.get(key(v.venue, b.asset)) ?? 0;
          if (spent > 0) expect(Number(b.free) - spent).toBeGreaterThanOrEqual(Number(reserves[b.asset as 'USDT' | 'BTC'] ?? 0) - 1e-6);
        }
      }
      expect(plan.before.total - plan.after.total).toBeCloseTo(plan.totalCost, 4);
      expect(plan.steps.every((step) => step.cost >= 0)).toBe(true);
      for (const s of plan.steps) kinds.set(s.kind === 'trade' ? s.purpose : 'transfer', (kinds.get(s.kind === 'trade' ? s.purpose : 'transfer') ?? 0) + 1);
    }
    // the random portfolios exercise both direct moves and conversions
    expect(kinds.get('transfer')).toBeGreaterThan(0);
    expect(kinds.get('bridge_out')).toBeGreaterThan(0);
  });
});
