/**
 * Taker fee resolution. The user's fee tier in config (venues.<v>.fees.taker)
 * wins over the market metadata, because venues publish their base tier and
 * users with volume discounts pay less. A fee that is missing or not finite
 * is an error, never a silent 0: a scanner that assumes free trading finds
 * phantom edges.
 */
import {XarbError, ExitCode} from '../errors.js';
import type {Market} from '../types.js';

export interface TakerFee {
  readonly rate: number;
  readonly source: 'market' | 'config';
}

/** Per-venue overrides, from XarbConfig.venues.<v>.fees. */
export type FeeOverrides = Readonly<Record<string, {readonly taker?: number} | undefined>>;

export class MissingFeeError extends XarbError {
  constructor(venue: string, symbol: string) {
    super(`${venue} publishes no taker fee for ${symbol}`, {exitCode: ExitCode.usage, hint: `set your fee tier: xarb config set venues.${venue}.fees.taker 0.001`});
  }
}

export function takerFee(venue: string, market: Pick<Market, 'symbol' | 'taker'>, overrides: FeeOverrides | undefined): TakerFee {
  const override = overrides?.[venue]?.taker;
  if (override !== undefined && Number.isFinite(override)) return {rate: override, source: 'config'};
  if (typeof market.taker !== 'number' || !Number.isFinite(market.taker)) throw new MissingFeeError(venue, market.symbol);
  return {rate: market.taker, source: 'market'};
}

/** Like takerFee but returns undefined instead of throwing (the scanner skips such markets and says so). */
export function tryTakerFee(venue: string, market: Pick<Market, 'symbol' | 'taker'>, overrides: FeeOverrides | undefined): TakerFee | undefined {
  try {
    return takerFee(venue, market, overrides);
  } catch (error) {
    if (error instanceof MissingFeeError) return undefined;
    throw error;
  }
}
