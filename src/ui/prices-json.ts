/**
 * The JSON contract of `prices` (and each line of `prices --watch --json`):
 * quotes, sizes, spreads, averages and market steps as exact decimal strings
 * of at most 8 decimals (docs/design-decisions.md lists the fields). The
 * comparison computes with numbers; this is where they become strings.
 * Basis points stay numbers (4 decimals), as do fee rates and ages.
 */
import {roundDigits, roundJson} from '../core/money/precision.js';
import type {PriceRow, PricesResult, SizeFill, SymbolPrices} from '../core/market/prices.js';

type Stringed<T, K extends keyof T> = Omit<T, K> & {readonly [P in K]: undefined extends T[P] ? string | undefined : string};

export type SizeFillJson = Stringed<SizeFill, 'average' | 'afterFees' | 'filled' | 'unfilled'>;
export type PriceRowJson = Omit<Stringed<PriceRow, 'priceStep' | 'amountStep' | 'bid' | 'bidSize' | 'ask' | 'askSize' | 'spread'>, 'buy' | 'sell'> & {
  readonly buy?: SizeFillJson;
  readonly sell?: SizeFillJson;
};
type Best = {readonly venue: string; readonly average: string; readonly afterFees?: string};
export type SymbolPricesJson = Omit<SymbolPrices, 'rows' | 'bestBid' | 'bestAsk' | 'crossSpread' | 'bestBuy' | 'bestSell'> & {
  readonly rows: readonly PriceRowJson[];
  readonly bestBid?: {readonly venue: string; readonly price: string};
  readonly bestAsk?: {readonly venue: string; readonly price: string};
  readonly crossSpread?: {readonly value: string; readonly bps: number};
  readonly bestBuy?: Best;
  readonly bestSell?: Best;
};
export type PricesJson = Omit<PricesResult, 'symbols'> & {readonly symbols: readonly SymbolPricesJson[]};

const j = (value: number): string => roundJson(value);
const jOpt = (value: number | undefined): string | undefined => (value === undefined ? undefined : roundJson(value));
const bps = (value: number): number => Number(roundDigits(value, 4));

function fillJson(f: SizeFill): SizeFillJson {
  return {...f, average: jOpt(f.average), afterFees: jOpt(f.afterFees), filled: j(f.filled), unfilled: j(f.unfilled)};
}

function rowJson(r: PriceRow): PriceRowJson {
  const {buy, sell, ...rest} = r;
  return {
    ...rest,
    priceStep: jOpt(r.priceStep),
    amountStep: jOpt(r.amountStep),
    bid: jOpt(r.bid),
    bidSize: jOpt(r.bidSize),
    ask: jOpt(r.ask),
    askSize: jOpt(r.askSize),
    spread: jOpt(r.spread),
    ...(r.spreadBps === undefined ? {} : {spreadBps: bps(r.spreadBps)}),
    ...(buy ? {buy: fillJson(buy)} : {}),
    ...(sell ? {sell: fillJson(sell)} : {}),
  };
}

function best(b: {readonly venue: string; readonly average: number; readonly afterFees?: number} | undefined): Best | undefined {
  return b ? {venue: b.venue, average: j(b.average), ...(b.afterFees === undefined ? {} : {afterFees: j(b.afterFees)})} : undefined;
}

export function pricesJson(result: PricesResult): PricesJson {
  return {
    ...result,
    symbols: result.symbols.map((s) => {
      const {rows, bestBid, bestAsk, crossSpread, bestBuy, bestSell, ...rest} = s;
      return {
        ...rest,
        rows: rows.map(rowJson),
        ...(bestBid ? {bestBid: {venue: bestBid.venue, price: j(bestBid.price)}} : {}),
        ...(bestAsk ? {bestAsk: {venue: bestAsk.venue, price: j(bestAsk.price)}} : {}),
        ...(crossSpread ? {crossSpread: {value: j(crossSpread.value), bps: bps(crossSpread.bps)}} : {}),
        ...(bestBuy ? {bestBuy: best(bestBuy)} : {}),
        ...(bestSell ? {bestSell: best(bestSell)} : {}),
      };
    }),
  };
}
