/**
 * Display precision of money: how many decimals a person (or a program
 * reading our JSON) is shown. One policy, used by every command:
 *
 * 1. Prices are shown with the decimals of the market's tick (priceStep);
 *    amounts with the decimals of its lot (amountStep).
 * 2. Totals in a currency (costs, fees, values, PnL) are shown with that
 *    currency's usual decimals: 2 for fiat and USD stablecoins, 8 for any
 *    other asset (crypto), unless the market says otherwise.
 * 3. Where no market is known, a price keeps its currency's decimals when it
 *    is 1 or more and enough significant digits below that (at most 8).
 *
 * Rounding is exact (bigint decimals, nearest, half away from zero): a
 * displayed value never carries binary float noise such as
 * 65903.458602999999999999. Values that are stored, summed or sent are never
 * rounded by this module; it is for what is read.
 */
import {dec, roundToStep} from './decimal.js';

/** Fiat currencies and USD-pegged stablecoins: shown in cents. */
const CENT_CURRENCIES = new Set([
  'USD', 'EUR', 'GBP', 'JPY', 'CHF', 'CAD', 'AUD', 'NZD', 'TRY', 'BRL', 'MXN', 'KRW', 'INR', 'ZAR', 'SGD', 'HKD', 'PLN', 'SEK', 'NOK', 'DKK', 'CZK', 'RUB', 'UAH', 'NGN', 'ARS',
  'USDT', 'USDC', 'DAI', 'TUSD', 'BUSD', 'FDUSD', 'USDP', 'PYUSD', 'EURC', 'EURT',
]);

/** The most decimals anything is shown with. */
export const MAX_DISPLAY_DIGITS = 8;

/** Usual decimals of a currency: 2 for fiat and stablecoins, 8 otherwise. */
export function currencyDigits(asset: string): number {
  return CENT_CURRENCIES.has(asset.toUpperCase()) ? 2 : MAX_DISPLAY_DIGITS;
}

/** Decimals of a step such as 0.01 (2), 0.5 (1), 5 (0), 1e-8 (8); undefined without a step. */
export function stepDigits(step: string | number | undefined): number | undefined {
  if (step === undefined) return undefined;
  let text: string;
  try {
    text = dec(step);
  } catch {
    return undefined;
  }
  if (text === '0' || text.startsWith('-')) return undefined;
  const dot = text.indexOf('.');
  return Math.min(dot < 0 ? 0 : text.length - dot - 1, 18);
}

/** Decimals of an exact decimal value as written (1.50 -> 1, 12 -> 0). */
export function decimalsOf(value: string | number): number {
  const text = dec(value);
  const dot = text.indexOf('.');
  return dot < 0 ? 0 : text.length - dot - 1;
}

/** Exactly rounds `value` to `digits` decimals (nearest); the canonical decimal string. */
export function roundDigits(value: string | number, digits: number): string {
  return roundToStep(dec(value), digits <= 0 ? '1' : `0.${'0'.repeat(digits - 1)}1`, 'nearest');
}

/** Decimals for a price: its tick's; without a tick the currency's, more for prices below 1 (about four significant digits), at most 8. */
export function priceDigits(value: string | number, quote: string | undefined, tick?: string | number): number {
  const fromTick = stepDigits(tick);
  if (fromTick !== undefined) return fromTick;
  const base = quote ? currencyDigits(quote) : 2;
  const abs = Math.abs(Number(value));
  if (!(abs > 0) || abs >= 1) return base;
  // Keep about four significant digits for small prices (0.00012345).
  const lead = Math.floor(-Math.log10(abs));
  return Math.min(MAX_DISPLAY_DIGITS, Math.max(base, lead + 4));
}

/** Rounds a currency total (cost, fee, value, PnL) to its currency's decimals. */
export function roundMoney(value: string | number, currency: string): string {
  return roundDigits(value, currencyDigits(currency));
}

/** Rounds a price to its market's tick decimals (or the fallback of priceDigits). */
export function roundPrice(value: string | number, quote: string | undefined, tick?: string | number): string {
  return roundDigits(value, priceDigits(value, quote, tick));
}

/** Rounds an amount to its lot's decimals (or at most 8). */
export function roundAmount(value: string | number, lot?: string | number): string {
  return roundDigits(value, Math.min(stepDigits(lot) ?? MAX_DISPLAY_DIGITS, 18));
}

/**
 * Computed money in the JSON contract (averages, estimated costs and fees,
 * totals, PnL, values): an exact decimal string rounded to 8 decimals, so a
 * program never reads a truncation tail such as 49950.011015999999999999.
 */
export function roundJson(value: string | number): string {
  return roundDigits(value, MAX_DISPLAY_DIGITS);
}
