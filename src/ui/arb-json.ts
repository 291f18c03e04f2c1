/**
 * The JSON contract of `arb scan`, `arb scan --watch` and `arb history`.
 * The scanners compute with numbers (analytics); at output every amount,
 * price and money figure becomes an exact decimal string of at most 8
 * decimals (docs/arb.md lists the fields). Ratios stay numbers: basis points
 * (rounded to 4 decimals), fee rates and the triangular top-of-book rate.
 */
import type {ArbHistoryResult, ArbHistoryRow, SpreadSeries} from '../core/arb/history.js';
import type {ArbScanResult} from '../core/arb/scan.js';
import type {ArbWatchTick} from '../core/arb/watch.js';
import type {CrossLeg, CrossOpportunity, Opportunity, TransferCost, TriangularLeg, TriangularOpportunity} from '../core/arb/types.js';
import type {ArbCorrection, ArbPreview, ArbReport, LegCheck} from '../core/execution/arb.js';
import {roundDigits, roundJson} from '../core/money/precision.js';
import {orderJson} from './order-view.js';

type Replace<T, K extends keyof T, V> = Omit<T, K> & {readonly [P in K]: V};

export type CrossLegJson = Replace<CrossLeg, 'topPrice' | 'avgPrice' | 'limitPrice' | 'notional' | 'fee', string>;
export type TransferCostJson = Replace<TransferCost, 'fee' | 'cost', string>;
export type CrossOpportunityJson = Replace<
  Omit<CrossOpportunity, 'buy' | 'sell' | 'transfer' | 'netValue' | 'netProfitWithTransfer'>,
  'size' | 'grossProfit' | 'fees' | 'netProfit',
  string
> & {
  readonly buy: CrossLegJson;
  readonly sell: CrossLegJson;
  readonly netValue: string | undefined;
  readonly transfer: TransferCostJson | undefined;
  readonly netProfitWithTransfer: string | undefined;
};
export type TriangularLegJson = Replace<TriangularLeg, 'amountIn' | 'amountOut' | 'avgPrice' | 'limitPrice', string>;
export type TriangularOpportunityJson = Replace<Omit<TriangularOpportunity, 'legs' | 'netValue'>, 'startAmount' | 'endAmount' | 'netProfit', string> & {
  readonly legs: readonly [TriangularLegJson, TriangularLegJson, TriangularLegJson];
  readonly netValue: string | undefined;
};
export type OpportunityJson = CrossOpportunityJson | TriangularOpportunityJson;

export type ArbScanJson = Omit<ArbScanResult, 'settings' | 'opportunities'> & {
  readonly settings: Replace<Omit<ArbScanResult['settings'], 'maxSize' | 'maxNotional'>, 'minProfit', string> & {readonly maxSize: string | undefined; readonly maxNotional: string | undefined};
  readonly opportunities: readonly OpportunityJson[];
};

export interface ArbWatchTickJson {
  readonly iteration: number;
  readonly at: number;
  readonly appeared: readonly {key: string; firstSeen: number; opportunity: OpportunityJson}[];
  readonly vanished: readonly {key: string; firstSeen: number; lastSeen: number; lifetimeMs: number}[];
  readonly active: readonly {key: string; firstSeen: number; lifetimeMs: number; netBps: number; netProfit: string}[];
  readonly result: ArbScanJson;
}

export type ArbHistoryRowJson = Replace<Omit<ArbHistoryRow, 'bestNetValue'>, 'bestNetProfit' | 'maxSize', string> & {readonly bestNetValue: string | undefined};
export type ArbHistoryJson = Omit<ArbHistoryResult, 'opportunities' | 'series'> & {
  readonly opportunities: readonly ArbHistoryRowJson[];
  readonly series: SpreadSeries | undefined;
};

const money = (value: number): string => roundJson(value);
const moneyOpt = (value: number | undefined): string | undefined => (value === undefined ? undefined : roundJson(value));
/** Basis points as a number with at most 4 decimals (a ratio, not money). */
export function bps(value: number): number {
  return Number(roundDigits(value, 4));
}
const bpsOpt = (value: number | undefined): number | undefined => (value === undefined ? undefined : bps(value));

function crossLegJson(leg: CrossLeg): CrossLegJson {
  return {...leg, topPrice: money(leg.topPrice), avgPrice: money(leg.avgPrice), limitPrice: money(leg.limitPrice), notional: money(leg.notional), fee: money(leg.fee)};
}

function triangularLegJson(leg: TriangularLeg): TriangularLegJson {
  return {...leg, amountIn: money(leg.amountIn), amountOut: money(leg.amountOut), avgPrice: money(leg.avgPrice), limitPrice: money(leg.limitPrice)};
}

export function opportunityJson(o: Opportunity): OpportunityJson {
  if (o.kind === 'cross') {
    return {
      ...o,
      buy: crossLegJson(o.buy),
      sell: crossLegJson(o.sell),
      // `size` is the same exact value as `amount` (the string to send).
      size: o.amount,
      grossProfit: money(o.grossProfit),
      fees: money(o.fees),
      netProfit: money(o.netProfit),
      netBps: bps(o.netBps),
      netValue: moneyOpt(o.netValue),
      transfer: o.transfer ? {...o.transfer, fee: money(o.transfer.fee), cost: money(o.transfer.cost)} : undefined,
      netProfitWithTransfer: moneyOpt(o.netProfitWithTransfer),
      netBpsWithTransfer: bpsOpt(o.netBpsWithTransfer),
    };
  }
  return {
    ...o,
    legs: [triangularLegJson(o.legs[0]), triangularLegJson(o.legs[1]), triangularLegJson(o.legs[2])],
    startAmount: money(o.startAmount),
    endAmount: money(o.endAmount),
    netProfit: money(o.netProfit),
    netBps: bps(o.netBps),
    netValue: moneyOpt(o.netValue),
  };
}

export function scanJson(result: ArbScanResult): ArbScanJson {
  const s = result.settings;
  return {
    ...result,
    settings: {...s, minProfit: money(s.minProfit), maxSize: moneyOpt(s.maxSize), maxNotional: moneyOpt(s.maxNotional)},
    opportunities: result.opportunities.map(opportunityJson),
  };
}

export function watchTickJson(tick: ArbWatchTick): ArbWatchTickJson {
  return {
    iteration: tick.iteration,
    at: tick.at,
    appeared: tick.appeared.map((t) => ({key: t.key, firstSeen: t.firstSeen, opportunity: opportunityJson(t.opportunity)})),
    vanished: tick.vanished.map((t) => ({key: t.key, firstSeen: t.firstSeen, lastSeen: t.lastSeen, lifetimeMs: t.lifetimeMs})),
    active: tick.active.map((t) => ({key: t.key, firstSeen: t.firstSeen, lifetimeMs: t.lifetimeMs, netBps: bps(t.opportunity.netBps), netProfit: money(t.opportunity.netProfit)})),
    result: scanJson(tick.result),
  };
}

export function historyJson(result: ArbHistoryResult): ArbHistoryJson {
  return {
    ...result,
    opportunities: result.opportunities.map((r) => ({
      ...r,
      bestNetBps: bps(r.bestNetBps),
      avgNetBps: bpsOpt(r.avgNetBps),
      bestNetProfit: money(r.bestNetProfit),
      bestNetValue: moneyOpt(r.bestNetValue),
      maxSize: money(r.maxSize),
    })),
    series: result.series ? {...result.series, points: result.series.points.map((p) => ({...p, netBps: bpsOpt(p.netBps), topBps: bpsOpt(p.topBps)}))} : undefined,
  };
}

export type LegCheckJson = Replace<LegCheck, 'expectedPrice' | 'fee' | 'total', string>;
export type ArbPreviewJson = Replace<Omit<ArbPreview, 'buy' | 'sell'>, 'expectedProfit', string> & {readonly buy: LegCheckJson; readonly sell: LegCheckJson};
export type ArbReportJson = Omit<ArbReport, 'preview' | 'correction'> & {
  readonly preview: ArbPreviewJson;
  readonly correction: Replace<ArbCorrection, 'estimatedLoss', string> | undefined;
};

function legCheckJson(leg: LegCheck): LegCheckJson {
  return {...leg, expectedPrice: money(leg.expectedPrice), fee: money(leg.fee), total: money(leg.total)};
}

/** `arb execute` preview (dry run and report): prices, fees, totals and the expected profit as decimal strings. */
export function arbPreviewJson(p: ArbPreview): ArbPreviewJson {
  return {...p, buy: legCheckJson(p.buy), sell: legCheckJson(p.sell), expectedProfit: money(p.expectedProfit), expectedBps: bps(p.expectedBps)};
}

export function arbReportJson(r: ArbReport): ArbReportJson {
  return {
    ...r,
    preview: arbPreviewJson(r.preview),
    correction: r.correction ? {...r.correction, estimatedLoss: money(r.correction.estimatedLoss), order: r.correction.order ? orderJson(r.correction.order) : undefined} : undefined,
    legs: {buy: orderJson(r.legs.buy), sell: orderJson(r.legs.sell)},
  };
}
