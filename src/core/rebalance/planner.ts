/**
 * The rebalance planner: a pure function from a snapshot of the targeted
 * venues to an ordered plan of transfers and trades. No I/O.
 *
 * How it decides (docs/rebalance.md has the user-facing version):
 * 1. Venues: value each targeted venue (total balances + transfers in
 *    transit, priced in the valuation quote); `computeFlows` says how much
 *    value each must give or take, honouring the threshold.
 * 2. Senders (largest first) are paired with receivers (largest first). For
 *    each pair the cheapest way to deliver the value is chosen among:
 *    - moving one asset the sender holds over a network enabled for
 *      withdrawal on the sender AND deposit on the receiver (cost: its
 *      withdrawal fee);
 *    - converting on the sender to an asset that is cheap to move, moving it,
 *      and converting back on the receiver so the portfolio's asset mix is
 *      kept (cost: both trades' fee and half spread, plus the fee);
 *    and when no single option covers the value, several assets are moved,
 *    cheapest first. A move below the withdrawal minimum, or whose fee eats
 *    the amount, is not planned.
 * 3. Asset targets (optional): the value held in the named assets is
 *    redistributed between them by trades on the venue and market path
 *    (direct or through one intermediate asset) with the lowest cost. Trades
 *    never change a venue's value (apart from their cost), so step 3 keeps
 *    what step 2 achieved.
 * Withdrawal fees: some venues take the fee out of the amount, others (okx)
 * charge it on top, so a transfer always leaves amount + fee free above the
 * reserve, and the receiver is expected to get amount - fee (the lower of
 * the two outcomes).
 * Invariants: no step spends an asset below its reserve on a venue; every
 * transfer's network is enabled on both ends and its amount is at least the
 * withdrawal minimum and more than the fee; amounts are rounded down;
 * anything wanted but not planned is listed in `skipped` with a reason.
 * This is a greedy heuristic, not a global optimum over all pairings.
 */
import {UsageError, VenueDataError} from '../errors.js';
import {dec, roundToStep, sub} from '../money/decimal.js';
import type {Currency, Market, Network} from '../types.js';
import {computeFlows, type FlowItem} from './flows.js';
import {checkTargets} from './targets.js';
import type {
  Allocation,
  AssetAllocation,
  PlanInput,
  PlanStep,
  RebalancePlan,
  SkippedMove,
  SkipReason,
  TradePurpose,
  TradeStep,
  TransferStep,
  UnpricedHolding,
  VenueAllocation,
  VenueSnapshot,
} from './types.js';

/** Withdrawal amounts are rounded down to this step (currencies carry no precision of their own). */
export const WITHDRAW_STEP = '0.00000001';

interface Pair {
  readonly market: Market;
  readonly bid: number;
  readonly ask: number;
}

interface Route {
  readonly asset: string;
  readonly network: string;
  readonly fee: number;
  readonly min: number | undefined;
  /** The asset's price and reserve, looked up once. */
  readonly price: number | undefined;
  readonly reserve: number;
}

interface RouteInfo {
  readonly usable: readonly Route[];
  readonly problem: SkipReason | undefined;
  /** Built only when a skipped move is explained. */
  readonly detail: () => string;
}

const NO_DETAIL = () => '';

class VenueState {
  /** Spendable now (projected as steps are planned). */
  readonly free = new Map<string, number>();
  /** Held now, free + used (projected). */
  readonly held = new Map<string, number>();
  /** Arriving from transfers (this plan's or already in transit). */
  readonly incoming = new Map<string, number>();
  readonly currencies = new Map<string, Currency>();
  /** asset -> network code -> network. */
  readonly networks = new Map<string, Map<string, Network>>();
  /** from -> to -> the spot market converting between them. */
  private readonly pairMap = new Map<string, Map<string, Pair>>();
  /** asset -> assets it converts to directly. */
  readonly neighbors = new Map<string, string[]>();
  readonly reportsCurrencies: boolean;

  constructor(
    readonly venue: string,
    snapshot: VenueSnapshot | undefined,
  ) {
    this.reportsCurrencies = (snapshot?.currencies.length ?? 0) > 0;
    if (!snapshot) return;
    for (const b of snapshot.balances) {
      this.free.set(b.asset, (this.free.get(b.asset) ?? 0) + amountNumber(b.free, venue, `${b.asset} free`));
      this.held.set(b.asset, (this.held.get(b.asset) ?? 0) + amountNumber(b.total, venue, `${b.asset} total`));
    }
    for (const c of snapshot.currencies) {
      this.currencies.set(c.code, c);
      this.networks.set(c.code, new Map(c.networks.map((n) => [n.network, n])));
    }
    const quotes = new Map(snapshot.quotes.map((q) => [q.symbol, q]));
    for (const m of snapshot.markets) {
      if (m.type !== 'spot' || !m.active) continue;
      const q = quotes.get(m.symbol);
      if (!q || q.bid === undefined || q.ask === undefined || !(q.bid > 0) || !(q.ask >= q.bid)) continue;
      const pair: Pair = {market: m, bid: q.bid, ask: q.ask};
      if (this.pair(m.base, m.quote)) continue;
      this.setPair(m.base, m.quote, pair);
      this.setPair(m.quote, m.base, pair);
      push(this.neighbors, m.base, m.quote);
      push(this.neighbors, m.quote, m.base);
    }
  }

  pair(from: string, to: string): Pair | undefined {
    return this.pairMap.get(from)?.get(to);
  }

  private setPair(from: string, to: string, pair: Pair): void {
    let inner = this.pairMap.get(from);
    if (!inner) this.pairMap.set(from, (inner = new Map()));
    inner.set(to, pair);
  }

  add(map: 'free' | 'held' | 'incoming', asset: string, delta: number): void {
    const m = this[map];
    m.set(asset, (m.get(asset) ?? 0) + delta);
  }
}

function push(map: Map<string, string[]>, key: string, value: string): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

interface Leg {
  readonly venue: string;
  readonly symbol: string;
  readonly side: 'buy' | 'sell';
  /** Base units, already a multiple of the market's step; made exact text when the step is written. */
  readonly amount: number;
  readonly step: number | undefined;
  readonly price: number;
  readonly taker: number;
  readonly spendAsset: string;
  readonly spend: number;
  readonly receiveAsset: string;
  readonly receive: number;
  readonly value: number;
  readonly cost: number;
}

type Option =
  | {readonly kind: 'direct'; readonly route: Route; readonly amount: number; readonly value: number; readonly cost: number}
  | {readonly kind: 'bridge'; readonly out: Leg; readonly route: Route; readonly amount: number; readonly back: Leg; readonly value: number; readonly cost: number};

interface Delivery {
  readonly sent: number;
  readonly asset?: string;
  readonly reason?: SkipReason;
  readonly detail?: string;
  readonly exhausted?: boolean;
}

/** Plans a rebalance. Throws UsageError on targets that do not add up to 100 or a bad threshold. */
export function planRebalance(input: PlanInput): RebalancePlan {
  return new Planner(input).run();
}

class Planner {
  private readonly states = new Map<string, VenueState>();
  private readonly steps: PlanStep[] = [];
  private readonly skipped: SkippedMove[] = [];
  private readonly unpriced: UnpricedHolding[] = [];
  private readonly routeCache = new Map<string, Map<string, RouteInfo>>();
  /** Every usable route of a venue pair with a price, flattened for the partial-move scan. */
  private readonly flatRoutes = new Map<string, readonly Route[]>();
  private readonly reserves = new Map<string, number>();
  private readonly quote: string;

  constructor(private readonly input: PlanInput) {
    checkTargets(input.venueTargets, 'venue');
    if (input.assetTargets) checkTargets(input.assetTargets, 'asset');
    if (typeof input.thresholdPct !== 'number' || !Number.isFinite(input.thresholdPct) || input.thresholdPct < 0 || input.thresholdPct > 100) {
      throw new UsageError(`threshold ${String(input.thresholdPct)} is not a number of percentage points from 0 to 100`);
    }
    this.quote = input.quote;
    for (const [asset, amount] of Object.entries(input.reserves ?? {})) this.reserves.set(asset, Number(dec(amount)));
    const snapshots = new Map(input.venues.map((v) => [v.venue, v]));
    for (const venue of Object.keys(input.venueTargets)) this.states.set(venue, new VenueState(venue, snapshots.get(venue)));
    for (const t of input.inTransit ?? []) this.states.get(t.to)?.add('incoming', t.asset, Number(dec(t.amount)));
    for (const state of this.states.values()) {
      for (const [asset, amount] of state.held) {
        if (amount > 0 && this.price(asset) === undefined) this.unpriced.push({venue: state.venue, asset, amount: dec(amount)});
      }
    }
  }

  run(): RebalancePlan {
    const before = this.allocation();
    const venueFlows = this.planVenues(before.total);
    const assetFlows = this.input.assetTargets ? this.planAssets() : false;
    const after = this.allocation();
    return {
      quote: this.quote,
      thresholdPct: this.input.thresholdPct,
      venueTargets: this.input.venueTargets,
      assetTargets: this.input.assetTargets,
      before,
      after,
      steps: this.steps,
      totalCost: this.steps.reduce((s, step) => s + step.cost, 0),
      skipped: this.skipped,
      unpriced: this.unpriced,
      balanced: !venueFlows && !assetFlows,
    };
  }

  // ---- prices and balances ----

  private readonly priceCache = new Map<string, number | undefined>();

  private price(asset: string): number | undefined {
    if (asset === this.quote) return 1;
    if (this.priceCache.has(asset)) return this.priceCache.get(asset);
    const raw = Object.hasOwn(this.input.prices, asset) ? this.input.prices[asset] : undefined;
    const p = typeof raw === 'number' && Number.isFinite(raw) && raw > 0 ? raw : undefined;
    this.priceCache.set(asset, p);
    return p;
  }

  private avail(state: VenueState, asset: string): number {
    return Math.max(0, (state.free.get(asset) ?? 0) - (this.reserves.get(asset) ?? 0));
  }

  private venueValue(state: VenueState): number {
    let value = 0;
    for (const map of [state.held, state.incoming]) {
      for (const [asset, amount] of map) {
        const p = this.price(asset);
        if (p !== undefined) value += amount * p;
      }
    }
    return value;
  }

  private allocation(): Allocation {
    const venueValues = [...this.states.values()].map((s) => ({venue: s.venue, value: this.venueValue(s)}));
    const total = venueValues.reduce((s, v) => s + v.value, 0);
    const pct = (x: number) => (total > 0 ? (x / total) * 100 : 0);
    const venues: VenueAllocation[] = venueValues.map(({venue, value}) => {
      const target = this.input.venueTargets[venue]!;
      const deviation = pct(value) - target;
      return {venue, value, pct: pct(value), target, deviation, withinThreshold: Math.abs(deviation) <= this.input.thresholdPct + 1e-9};
    });
    const assetValues = this.assetValues();
    const targets = this.input.assetTargets;
    const targetedTotal = targets ? Object.keys(targets).reduce((s, a) => s + (assetValues.get(a) ?? 0), 0) : 0;
    const names = new Set([...assetValues.keys(), ...Object.keys(targets ?? {})]);
    const assets: AssetAllocation[] = [...names]
      .map((asset) => {
        const value = assetValues.get(asset) ?? 0;
        const target = targets?.[asset];
        const share = target !== undefined && targetedTotal > 0 ? (value / targetedTotal) * 100 : target !== undefined ? 0 : undefined;
        return {asset, value, pct: pct(value), target, deviation: target !== undefined && share !== undefined ? share - target : undefined};
      })
      .filter((a) => a.value > 0 || a.target !== undefined)
      .sort((a, b) => b.value - a.value || a.asset.localeCompare(b.asset));
    return {total, venues, assets};
  }

  private assetValues(): Map<string, number> {
    const out = new Map<string, number>();
    for (const state of this.states.values()) {
      for (const map of [state.held, state.incoming]) {
        for (const [asset, amount] of map) {
          const p = this.price(asset);
          if (p !== undefined && amount !== 0) out.set(asset, (out.get(asset) ?? 0) + amount * p);
        }
      }
    }
    return out;
  }

  // ---- step 2: venues ----

  /** Returns true when some venue was out of its threshold. */
  private planVenues(total: number): boolean {
    const items: FlowItem[] = [...this.states.values()].map((s) => ({key: s.venue, value: this.venueValue(s), target: (total * this.input.venueTargets[s.venue]!) / 100}));
    const {senders, receivers} = computeFlows(items, total, this.input.thresholdPct);
    if (senders.length === 0 && receivers.length === 0) return false;
    const eps = Math.max(total * 1e-9, 1e-12);
    const wants = receivers.map((r) => ({key: r.key, amount: r.amount}));
    for (const sender of senders) {
      const from = this.states.get(sender.key)!;
      let remaining = sender.amount;
      const tried = new Set<string>();
      let firstFailure: {to: string; asset: string | undefined; reason: SkipReason; detail: string} | undefined;
      while (remaining > eps) {
        const next = wants.filter((w) => w.amount > eps && !tried.has(w.key)).sort((a, b) => b.amount - a.amount || a.key.localeCompare(b.key))[0];
        if (!next) break;
        const want = Math.min(remaining, next.amount);
        const result = this.deliver(from, this.states.get(next.key)!, want);
        remaining -= result.sent;
        next.amount -= result.sent;
        if (result.sent >= want - eps) continue;
        firstFailure ??= {to: next.key, asset: result.asset, reason: result.reason ?? 'insufficient_funds', detail: result.detail ?? ''};
        if (result.exhausted) break;
        tried.add(next.key);
      }
      if (remaining > eps) {
        const f = firstFailure ?? {to: undefined, asset: undefined, reason: 'insufficient_funds' as const, detail: `no venue below target can take value from ${from.venue}`};
        this.skipped.push({reason: f.reason, from: from.venue, ...(f.to ? {to: f.to} : {}), ...(f.asset ? {asset: f.asset} : {}), value: remaining, detail: f.detail});
      }
    }
    return true;
  }

  private routes(from: VenueState, to: VenueState): Map<string, RouteInfo> {
    const key = `${from.venue}>${to.venue}`;
    let cached = this.routeCache.get(key);
    if (cached) return cached;
    cached = new Map();
    for (const [asset, fromCur] of from.currencies) {
      const toNets = to.networks.get(asset);
      if (!toNets) {
        cached.set(asset, {usable: [], problem: 'no_common_network', detail: () => `${to.venue} does not list ${asset}`});
        continue;
      }
      let common: Network | undefined;
      let usable: Route[] | undefined;
      let enabled = false;
      for (const n of fromCur.networks) {
        const other = toNets.get(n.network);
        if (!other) continue;
        common ??= n;
        if (!n.withdrawEnabled || !other.depositEnabled) continue;
        enabled = true;
        if (n.withdrawFee === undefined || !Number.isFinite(n.withdrawFee) || n.withdrawFee < 0) continue;
        const min = n.withdrawMin !== undefined && Number.isFinite(n.withdrawMin) ? n.withdrawMin : undefined;
        (usable ??= []).push({asset, network: n.network, fee: n.withdrawFee, min, price: this.price(asset), reserve: this.reserves.get(asset) ?? 0});
      }
      if (usable) cached.set(asset, {usable, problem: undefined, detail: NO_DETAIL});
      else if (!common) cached.set(asset, {usable: [], problem: 'no_common_network', detail: () => `${asset}: no network both ${from.venue} and ${to.venue} support`});
      else if (!enabled) {
        const n = common;
        cached.set(asset, {
          usable: [],
          problem: 'network_disabled',
          detail: () => (!n.withdrawEnabled ? `withdrawals of ${asset} on ${n.network} are disabled on ${from.venue}` : `deposits of ${asset} on ${n.network} are disabled on ${to.venue}`),
        });
      } else cached.set(asset, {usable: [], problem: 'unknown_fee', detail: () => `${from.venue} does not say what withdrawing ${asset} costs`});
    }
    this.routeCache.set(key, cached);
    return cached;
  }

  /** Delivers up to `value` from one venue to another; returns what was planned. */
  private deliver(from: VenueState, to: VenueState, value: number): Delivery {
    if (!from.reportsCurrencies || !to.reportsCurrencies) {
      const which = !from.reportsCurrencies ? from.venue : to.venue;
      return {sent: 0, reason: 'no_currency_data', detail: `${which} does not report currencies and networks, so nothing can be moved ${which === from.venue ? 'from' : 'to'} it`};
    }
    const eps = Math.max(value * 1e-9, 1e-12);
    let left = value;
    for (let guard = 0; left > eps && guard < 1000; guard++) {
      const covering = this.bestCovering(from, to, left);
      if (covering) {
        // Covers the rest; what rounding down leaves behind is not worth another withdrawal.
        this.apply(from, to, covering);
        left = 0;
        break;
      }
      const partial = this.bestPartial(from, to, left);
      if (!partial) break;
      this.apply(from, to, partial);
      left -= partial.value;
    }
    if (left <= eps) return {sent: value};
    return {sent: value - left, ...this.diagnose(from, to, left)};
  }

  /** A direct move of one asset; amounts are checked as numbers and made exact only when the option is applied. */
  private directOption(from: VenueState, route: Route, value: number, covering: boolean): Option | undefined {
    const p = route.price;
    if (p === undefined) return undefined;
    // The fee is kept free on top of the amount: some venues (okx) charge it on top, others take it out.
    const available = (from.free.get(route.asset) ?? 0) - route.reserve - route.fee;
    const needed = value / p;
    if (covering ? available < needed * (1 - 1e-9) : available <= 0) return undefined;
    const n = floorTo8(Math.min(needed, available));
    if (!(n > route.fee) || (route.min !== undefined && n < route.min)) return undefined;
    return {kind: 'direct', route, amount: n, value: n * p, cost: route.fee * p};
  }

  private bestCovering(from: VenueState, to: VenueState, value: number): Option | undefined {
    let best: Option | undefined;
    const better = (o: Option | undefined) => {
      if (o && (!best || o.cost < best.cost - 1e-12)) best = o;
    };
    // Only assets holding the whole value can cover it, directly or converted.
    const covering: string[] = [];
    for (const asset of from.free.keys()) {
      const pa = this.price(asset);
      if (pa !== undefined && this.avail(from, asset) * pa >= value * (1 - 1e-9)) covering.push(asset);
    }
    if (covering.length === 0) return undefined;
    const routes = this.routes(from, to);
    for (const asset of covering) for (const route of routes.get(asset)?.usable ?? []) better(this.directOption(from, route, value, true));
    // Converting first: only worth it through assets the receiver can convert back.
    for (const asset of covering) {
      const pa = this.price(asset)!;
      for (const bridge of from.neighbors.get(asset) ?? []) {
        const pb = this.price(bridge);
        const info = routes.get(bridge);
        if (pb === undefined || !info || info.usable.length === 0 || !to.pair(bridge, asset)) continue;
        for (const route of info.usable) {
          if (best && route.fee * pb >= best.cost) continue;
          const out = this.leg(from, asset, bridge, value / pa);
          if (typeof out === 'string') continue;
          const amount = floorTo8(out.receive - route.fee);
          if (!(amount > route.fee) || (route.min !== undefined && amount < route.min)) continue;
          const back = this.leg(to, bridge, asset, amount - route.fee);
          if (typeof back === 'string') continue;
          better({kind: 'bridge', out, route, amount, back, value: out.value, cost: out.cost + route.fee * pb + back.cost});
        }
      }
    }
    return best;
  }

  /** When nothing covers the whole value: the direct move with the lowest fee per value moved (fewest, cheapest withdrawals). */
  private bestPartial(from: VenueState, to: VenueState, value: number): Option | undefined {
    const key = `${from.venue}>${to.venue}`;
    let flat = this.flatRoutes.get(key);
    if (!flat) {
      flat = [...this.routes(from, to).values()].flatMap((info) => info.usable).filter((r) => r.price !== undefined);
      this.flatRoutes.set(key, flat);
    }
    let best: Route | undefined;
    let bestValue = 0;
    let bestCost = 0;
    for (const route of flat) {
      const available = (from.free.get(route.asset) ?? 0) - route.reserve - route.fee;
      if (!(available > route.fee) || (route.min !== undefined && available < route.min)) continue;
      const p = route.price!;
      const v = Math.min(available * p, value);
      const c = route.fee * p;
      if (!best || c * bestValue < bestCost * v - 1e-12 || (Math.abs(c * bestValue - bestCost * v) <= 1e-12 && v > bestValue)) {
        best = route;
        bestValue = v;
        bestCost = c;
      }
    }
    return best ? this.directOption(from, best, value, false) : undefined;
  }

  private diagnose(from: VenueState, to: VenueState, value: number): Omit<Delivery, 'sent'> {
    const holdings = [...from.free.keys()]
      .map((asset) => ({asset, value: this.avail(from, asset) * (this.price(asset) ?? 0)}))
      .filter((h) => h.value > 0)
      .sort((a, b) => b.value - a.value || a.asset.localeCompare(b.asset));
    if (holdings.length === 0) {
      return {reason: 'insufficient_funds', detail: `${from.venue} has no free balance above its reserves left to move`, exhausted: true};
    }
    const routes = this.routes(from, to);
    for (const h of holdings) {
      const info = routes.get(h.asset);
      if (!info) return {reason: 'no_currency_data', asset: h.asset, detail: `${from.venue} does not list networks for ${h.asset}`};
      if (info.problem) return {reason: info.problem, asset: h.asset, detail: info.detail()};
      const route = info.usable[0]!;
      const p = this.price(h.asset)!;
      const usable = this.avail(from, h.asset) - route.fee;
      if (usable <= 0) continue; // what is left only covers the fee
      const amount = Math.min(value / p, usable);
      if (route.min !== undefined && amount < route.min) {
        return {reason: 'below_minimum', asset: h.asset, detail: `${dec(amount.toPrecision(8))} ${h.asset} is below the ${route.min} ${h.asset} withdrawal minimum on ${from.venue} (${route.network})`};
      }
      if (amount <= route.fee) return {reason: 'fee_exceeds_amount', asset: h.asset, detail: `the ${dec(route.fee)} ${h.asset} withdrawal fee is more than ${dec(amount.toPrecision(8))} ${h.asset}`};
    }
    return {reason: 'insufficient_funds', detail: `${from.venue} lacks free balance above reserves for the rest`};
  }

  private apply(from: VenueState, to: VenueState, option: Option): void {
    if (option.kind === 'direct') {
      this.transfer(from, to, option.route, option.amount, option.value, []);
      return;
    }
    const out = this.trade(from, option.out, 'bridge_out', []);
    const move = this.transfer(from, to, option.route, option.amount, option.amount * this.price(option.route.asset)!, [out.id]);
    this.trade(to, option.back, 'bridge_in', [move.id], true);
  }

  private nextId(): string {
    return `s${this.steps.length + 1}`;
  }

  private transfer(from: VenueState, to: VenueState, route: Route, amountNum: number, value: number, after: readonly string[]): TransferStep {
    const amount = roundToStep(dec(amountNum.toFixed(8)), WITHDRAW_STEP, 'down');
    const n = Number(amount);
    const feeText = dec(route.fee);
    const receive = sub(amount, feeText);
    from.add('free', route.asset, -n);
    from.add('held', route.asset, -n);
    to.add('incoming', route.asset, Number(receive));
    const step: TransferStep = {
      kind: 'transfer',
      id: this.nextId(),
      asset: route.asset,
      from: from.venue,
      to: to.venue,
      amount,
      receive,
      network: route.network,
      withdrawFee: feeText,
      withdrawMin: route.min === undefined ? undefined : dec(route.min),
      withdrawEnabled: true,
      depositEnabled: true,
      value,
      cost: route.fee * this.price(route.asset)!,
      after,
    };
    this.steps.push(step);
    return step;
  }

  private trade(state: VenueState, leg: Leg, purpose: TradePurpose, after: readonly string[], fromIncoming = false): TradeStep {
    if (fromIncoming) {
      state.add('incoming', leg.spendAsset, -leg.spend);
      state.add('incoming', leg.receiveAsset, leg.receive);
    } else {
      for (const map of ['free', 'held'] as const) {
        state.add(map, leg.spendAsset, -leg.spend);
        state.add(map, leg.receiveAsset, leg.receive);
      }
    }
    const step: TradeStep = {
      kind: 'trade',
      id: this.nextId(),
      venue: state.venue,
      symbol: leg.symbol,
      side: leg.side,
      amount: roundToStep(dec(leg.amount.toPrecision(15)), leg.step, 'down'),
      price: leg.price,
      taker: leg.taker,
      spend: {asset: leg.spendAsset, amount: amountText(leg.spend)},
      receive: {asset: leg.receiveAsset, amount: amountText(leg.receive)},
      value: leg.value,
      cost: leg.cost,
      purpose,
      after,
    };
    this.steps.push(step);
    return step;
  }

  /** Simulates spending `spend` of `from` for `to` at the top of the book (taker fee included). */
  private leg(state: VenueState, from: string, to: string, spend: number): Leg | SkipReason {
    const pair = state.pair(from, to);
    if (!pair) return 'no_market';
    const pf = this.price(from);
    const pt = this.price(to);
    if (pf === undefined || pt === undefined) return 'no_price';
    const m = pair.market;
    const taker = m.taker;
    const sell = m.base === from;
    const price = sell ? pair.bid : pair.ask;
    const base = floorStep(sell ? spend : spend / (price * (1 + taker)), m.amountStep);
    if (!(base > 0) || (m.minAmount !== undefined && base < m.minAmount) || (m.minCost !== undefined && base * price < m.minCost)) return 'below_market_minimum';
    const spent = sell ? base : base * price * (1 + taker);
    const received = sell ? base * price * (1 - taker) : base;
    const value = spent * pf;
    // Cost against this venue's own mid (fee + half spread), so a price gap between venues never reads as a gain.
    const mid = (pair.bid + pair.ask) / 2;
    const costInQuote = sell ? base * mid - received : spent - base * mid;
    const cost = Math.max(0, costInQuote) * (sell ? pt : pf);
    return {venue: state.venue, symbol: m.symbol, side: sell ? 'sell' : 'buy', amount: base, step: m.amountStep, price, taker, spendAsset: from, spend: spent, receiveAsset: to, receive: received, value, cost};
  }

  // ---- step 3: asset targets ----

  private planAssets(): boolean {
    const targets = this.input.assetTargets!;
    const values = this.assetValues();
    const names = Object.keys(targets);
    for (const asset of names) {
      if (this.price(asset) === undefined) {
        this.skipped.push({reason: 'no_price', asset, value: 0, detail: `no price for ${asset} in ${this.quote}; it is left out of the asset targets`});
      }
    }
    const priced = names.filter((a) => this.price(a) !== undefined);
    const total = priced.reduce((s, a) => s + (values.get(a) ?? 0), 0);
    const items = priced.map((a) => ({key: a, value: values.get(a) ?? 0, target: (total * targets[a]!) / 100}));
    const {senders, receivers} = computeFlows(items, total, this.input.thresholdPct);
    if (senders.length === 0 && receivers.length === 0) return false;
    const eps = Math.max(total * 1e-9, 1e-12);
    const wants = receivers.map((r) => ({key: r.key, amount: r.amount}));
    for (const sender of senders) {
      let remaining = sender.amount;
      const tried = new Set<string>();
      let firstFailure: {asset: string; reason: SkipReason; detail: string} | undefined;
      while (remaining > eps) {
        const next = wants.filter((w) => w.amount > eps && !tried.has(w.key)).sort((a, b) => b.amount - a.amount || a.key.localeCompare(b.key))[0];
        if (!next) break;
        const want = Math.min(remaining, next.amount);
        const result = this.convert(sender.key, next.key, want);
        remaining -= result.sent;
        next.amount -= result.sent;
        if (result.sent >= want - eps) continue;
        firstFailure ??= {asset: next.key, reason: result.reason ?? 'insufficient_funds', detail: result.detail ?? ''};
        if (result.exhausted) break;
        tried.add(next.key);
      }
      if (remaining > eps) {
        const f = firstFailure ?? {asset: sender.key, reason: 'insufficient_funds' as const, detail: `no asset below target can take value from ${sender.key}`};
        this.skipped.push({reason: f.reason, asset: sender.key, value: remaining, detail: f.detail});
      }
    }
    return true;
  }

  /** Converts up to `value` of asset `from` into `to` on the cheapest venue and path(s). */
  private convert(from: string, to: string, value: number): Delivery {
    const pf = this.price(from)!;
    const eps = Math.max(value * 1e-9, 1e-12);
    let left = value;
    let lastReason: SkipReason | undefined;
    for (let guard = 0; left > eps && guard < 1000; guard++) {
      let best: {state: VenueState; legs: Leg[]; value: number; cost: number; covers: boolean} | undefined;
      for (const state of this.states.values()) {
        const available = this.avail(state, from);
        if (available <= 0) continue;
        const spend = Math.min(left / pf, available);
        const covers = available * pf >= left * (1 - 1e-9);
        const paths: string[][] = [];
        if (state.pair(from, to)) paths.push([from, to]);
        for (const via of state.neighbors.get(from) ?? []) if (via !== to && state.pair(via, to)) paths.push([from, via, to]);
        if (paths.length === 0) lastReason ??= 'no_market';
        for (const path of paths) {
          const legs: Leg[] = [];
          let amount = spend;
          let failed: SkipReason | undefined;
          for (let i = 0; i + 1 < path.length; i++) {
            const leg = this.leg(state, path[i]!, path[i + 1]!, amount);
            if (typeof leg === 'string') {
              failed = leg;
              break;
            }
            legs.push(leg);
            amount = leg.receive;
          }
          if (failed) {
            lastReason = failed;
            continue;
          }
          const cost = legs.reduce((s, l) => s + l.cost, 0);
          const v = legs[0]!.value;
          const rank = (o: {covers: boolean; cost: number; value: number}) => (o.covers ? o.cost : (o.cost / o.value) * left + 1e12);
          const candidate = {state, legs, value: v, cost, covers};
          if (!best || rank(candidate) < rank(best) - 1e-12) best = candidate;
        }
      }
      if (!best) break;
      let after: string[] = [];
      for (const leg of best.legs) after = [this.trade(best.state, leg, 'asset_target', after).id];
      // A covering path leaves only what rounding to the market's step cut off.
      left = best.covers ? 0 : left - best.value;
    }
    if (left <= eps) return {sent: value};
    const anyLeft = [...this.states.values()].some((s) => this.avail(s, from) > 0);
    if (!anyLeft) return {sent: value - left, reason: 'insufficient_funds', detail: `no free ${from} above reserves left on the targeted venues`, exhausted: true};
    const reason = lastReason ?? 'no_market';
    const detail = reason === 'below_market_minimum' ? `converting ${from} to ${to} would be below the market minimum` : `no venue has a market to convert ${from} to ${to} (directly or through one asset)`;
    return {sent: value - left, reason, detail};
  }
}

/** Rounds down to a market's amount step in float (a tiny epsilon absorbs binary noise such as 0.3 -> 0.29999999). */
function floorStep(x: number, step: number | undefined): number {
  if (step === undefined || !(step > 0)) return x;
  return Math.floor(x / step + 1e-9) * step;
}

/** A balance amount as a number; a missing or malformed amount is an error, never 0. */
function amountNumber(text: string, venue: string, what: string): number {
  const n = typeof text === 'string' && text.trim() !== '' ? Number(text) : Number.NaN;
  if (!Number.isFinite(n)) throw new VenueDataError(venue, `balance ${what} is not a number: ${JSON.stringify(text)}`);
  return n;
}

/** Rounds down to 1e-8 (the withdrawal step) in float, for comparisons; exact text is made with roundToStep. */
function floorTo8(x: number): number {
  return Math.floor(x * 1e8 + 1e-6) / 1e8;
}

function amountText(x: number): string {
  return roundToStep(dec(x.toPrecision(15)), '0.000000000001', 'down');
}
