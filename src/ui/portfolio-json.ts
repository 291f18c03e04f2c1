/**
 * The JSON contract of `balances` and `positions`: prices, rates and values
 * as exact decimal strings of at most 8 decimals (docs/portfolio.md lists the
 * fields). The core prices holdings with numbers (analytics); this is the
 * edge where they become decimal strings. Shares and drifts stay numbers
 * (percent, 2 decimals), as does leverage.
 */
import {roundJson} from '../core/money/precision.js';
import type {AssetTotal, BalanceRow} from '../core/portfolio/balances.js';
import type {DerivativeRow, NetExposure, SpotExposure} from '../core/portfolio/positions.js';
import type {PriceLeg, PriceSource} from '../core/portfolio/pricing.js';
import type {BalancesResult, PositionsResult} from '../core/portfolio/service.js';

type Stringed<T, K extends keyof T> = Omit<T, K> & {readonly [P in K]: undefined extends T[P] ? string | undefined : string};

export type PriceLegJson = Stringed<PriceLeg, 'rate'>;
export type PriceSourceJson = Omit<Stringed<PriceSource, 'price'>, 'legs'> & {readonly legs: readonly PriceLegJson[]};
export type BalancesJson = Omit<BalancesResult, 'rows' | 'assets' | 'prices'> & {
  readonly rows: readonly Stringed<BalanceRow, 'price'>[];
  readonly assets: readonly Stringed<AssetTotal, 'price'>[];
  readonly prices: readonly PriceSourceJson[];
};
export type PositionsJson = Omit<PositionsResult, 'spot' | 'derivatives' | 'net'> & {
  readonly spot: readonly Stringed<SpotExposure, 'price'>[];
  readonly derivatives: readonly Stringed<DerivativeRow, 'entryPrice' | 'markPrice' | 'unrealizedPnl' | 'liquidationPrice'>[];
  readonly net: readonly Stringed<NetExposure, 'price'>[];
};

const j = (value: number): string => roundJson(value);
const jOpt = (value: number | undefined): string | undefined => (value === undefined ? undefined : roundJson(value));

export function priceSourceJson(p: PriceSource): PriceSourceJson {
  return {...p, price: j(p.price), legs: p.legs.map((l) => ({...l, rate: j(l.rate)}))};
}

export function balancesJson(r: BalancesResult): BalancesJson {
  return {
    ...r,
    rows: r.rows.map((row) => ({...row, price: jOpt(row.price)})),
    assets: r.assets.map((a) => ({...a, price: jOpt(a.price)})),
    prices: r.prices.map(priceSourceJson),
  };
}

export function positionsJson(r: PositionsResult): PositionsJson {
  return {
    ...r,
    spot: r.spot.map((s) => ({...s, price: jOpt(s.price)})),
    derivatives: r.derivatives.map((d) => ({
      ...d,
      entryPrice: jOpt(d.entryPrice),
      markPrice: jOpt(d.markPrice),
      unrealizedPnl: jOpt(d.unrealizedPnl),
      liquidationPrice: jOpt(d.liquidationPrice),
    })),
    net: r.net.map((n) => ({...n, price: jOpt(n.price)})),
  };
}
