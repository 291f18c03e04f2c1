/**
 * RiskLedger: the state the checks read - balances per venue, open and
 * in-flight orders, today's volume - plus the orders already accepted earlier
 * in the same batch (child orders of one plan, both legs of an arbitrage), so
 * a batch is judged as a whole and never slips under a limit piecewise.
 *
 * Positions are exact (decimal strings); valuations (notional, exposure)
 * are analytics and use numbers.
 */
import {add, cmp, mul, sub} from '../money/decimal.js';
import {baseOf, quoteOf} from '../symbols/index.js';
import type {Balance, PlannedOrder, Side} from '../types.js';
import type {RiskSnapshot} from './types.js';

interface OpenRow {
  venue: string;
  symbol: string;
  side: Side;
  orders: number;
  remaining: string;
}

interface VolumeRow {
  venue: string;
  symbol: string;
  quote: string;
  volume: string;
}

export class RiskLedger {
  private readonly open: OpenRow[];
  private readonly volume: VolumeRow[];
  private readonly balances: Map<string, Map<string, {free: string; total: string}>>;

  constructor(readonly snapshot: RiskSnapshot) {
    this.open = snapshot.usage.open.map((r) => ({...r}));
    this.volume = snapshot.usage.dailyVolume.map((r) => ({...r}));
    this.balances = new Map();
    for (const [venue, list] of snapshot.balances) {
      const m = new Map<string, {free: string; total: string}>();
      for (const b of list as readonly Balance[]) m.set(b.asset, {free: b.free, total: b.total});
      this.balances.set(venue, m);
    }
  }

  /** Live (pending_submit, unknown, open) orders on a venue, optionally of one symbol. */
  openOrders(venue: string | undefined, symbol?: string): number {
    let n = 0;
    for (const r of this.open) if ((venue === undefined || r.venue === venue) && (symbol === undefined || r.symbol === symbol)) n += r.orders;
    return n;
  }

  hasBalances(venue: string): boolean {
    return this.balances.has(venue);
  }

  /** Free balance, '0' for an asset the venue does not list; undefined when the venue's balances are unknown. */
  free(venue: string, asset: string): string | undefined {
    const m = this.balances.get(venue);
    if (!m) return undefined;
    return m.get(asset)?.free ?? '0';
  }

  /**
   * Net position in `asset` (base units): holdings plus what live buys will
   * add minus what live sells will take, on one venue or (venue undefined)
   * across all venues with known balances.
   */
  position(asset: string, venue?: string): string {
    let pos = '0';
    for (const [name, m] of this.balances) if (venue === undefined || name === venue) pos = add(pos, m.get(asset)?.total ?? '0');
    for (const r of this.open) {
      if (venue !== undefined && r.venue !== venue) continue;
      if (baseOf(r.symbol) !== asset) continue;
      pos = r.side === 'buy' ? add(pos, r.remaining) : sub(pos, r.remaining);
    }
    return pos;
  }

  /** Today's traded notional valued in the valuation quote, filtered by venue and/or symbol. */
  dailyVolume(filter: {venue?: string; symbol?: string}): {value: number; unpriced: string[]} {
    let value = 0;
    const unpriced: string[] = [];
    for (const r of this.volume) {
      if (filter.venue !== undefined && r.venue !== filter.venue) continue;
      if (filter.symbol !== undefined && r.symbol !== filter.symbol) continue;
      const rate = this.snapshot.value(r.quote);
      if (rate === undefined) {
        if (cmp(r.volume, 0) !== 0) unpriced.push(r.quote);
        continue;
      }
      value += Number(r.volume) * rate;
    }
    return {value, unpriced};
  }

  /** Value of everything held (venue undefined: all venues with known balances), and of the non-cash part. */
  valuation(venue?: string, onlyAsset?: string): {total: number; exposure: number; unpriced: string[]} {
    let total = 0;
    let exposure = 0;
    const unpriced: string[] = [];
    const cash = new Set(this.snapshot.cash);
    for (const [name, m] of this.balances) {
      if (venue !== undefined && name !== venue) continue;
      for (const [asset, b] of m) {
        const amount = Number(b.total);
        if (amount === 0) continue;
        const rate = this.snapshot.value(asset);
        if (rate === undefined) {
          unpriced.push(asset);
          continue;
        }
        total += amount * rate;
        if (!cash.has(asset) && (onlyAsset === undefined || asset === onlyAsset)) exposure += amount * rate;
      }
    }
    // Live buys of non-cash assets add exposure before they fill; live sells take it away.
    for (const r of this.open) {
      if (venue !== undefined && r.venue !== venue) continue;
      const asset = baseOf(r.symbol);
      if (cash.has(asset) || (onlyAsset !== undefined && asset !== onlyAsset)) continue;
      const rate = this.snapshot.value(asset);
      if (rate === undefined) continue;
      exposure += (r.side === 'buy' ? 1 : -1) * Number(r.remaining) * rate;
    }
    return {total, exposure, unpriced};
  }

  /** Counts an accepted order, so the next order of the batch sees it. */
  apply(order: PlannedOrder, notional: string): void {
    const quote = quoteOf(order.symbol);
    let row = this.open.find((r) => r.venue === order.venue && r.symbol === order.symbol && r.side === order.side);
    if (!row) this.open.push((row = {venue: order.venue, symbol: order.symbol, side: order.side, orders: 0, remaining: '0'}));
    row.orders += 1;
    row.remaining = add(row.remaining, order.amount);
    let vol = this.volume.find((r) => r.venue === order.venue && r.symbol === order.symbol);
    if (!vol) this.volume.push((vol = {venue: order.venue, symbol: order.symbol, quote, volume: '0'}));
    vol.volume = add(vol.volume, notional);
    const m = this.balances.get(order.venue);
    if (m) {
      const asset = order.side === 'buy' ? quote : baseOf(order.symbol);
      const spend = order.side === 'buy' ? add(notional, String(order.fee)) : order.amount;
      const b = m.get(asset) ?? {free: '0', total: '0'};
      m.set(asset, {free: sub(b.free, spend), total: b.total});
    }
  }
}

/** Exact quote notional of an order: amount x expected price. */
export function orderNotional(order: Pick<PlannedOrder, 'amount' | 'expectedPrice'>): string {
  return mul(order.amount, String(order.expectedPrice));
}
