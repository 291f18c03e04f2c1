/**
 * Human rendering of order plans and outcomes (derived from the same values
 * the commands return as JSON).
 */
import {quoteOf} from '../core/symbols/index.js';
import type {ChalkInstance} from 'chalk';
import type {OrderResult} from '../core/execution/place.js';
import type {OrderReport, PlanView} from '../core/execution/order.js';
import {currencyDigits, roundJson} from '../core/money/precision.js';
import type {Fee} from '../core/types.js';
import {fmtAmount, fmtMoney, fmtPrice} from './format.js';
import {renderTable} from './table.js';

/** Display precision of one market: its quote currency, tick (price step) and lot (amount step). */
export interface MarketDigits {
  readonly quote: string;
  readonly tick?: string | number;
  readonly lot?: string | number;
}

export function fmtFees(fees: readonly Fee[]): string {
  return fees.length === 0 ? '-' : fees.map((f) => `${fmtAmount(f.cost, currencyStep(f.currency))} ${f.currency}`).join(' + ');
}

/** A currency's usual decimals as a step (0.01 for USD, 0.00000001 for BTC). */
function currencyStep(currency: string): string {
  const digits = currencyDigits(currency);
  return digits === 0 ? '1' : `0.${'0'.repeat(digits - 1)}1`;
}

/** A child order of a plan in the JSON contract: money as exact decimal strings. */
export type ChildJson = Omit<PlanView['children'][number], 'expectedPrice' | 'worstPrice' | 'cost' | 'fee' | 'total' | 'mid'> & {
  readonly expectedPrice: string;
  /** The venue's book mid when the order was planned. */
  readonly mid: string | undefined;
  readonly worstPrice: string | undefined;
  readonly cost: string;
  readonly fee: string;
  readonly total: string;
};

/** The plan in the JSON contract: quote amounts and prices as decimal strings of at most 8 decimals (docs/orders.md). */
export type PlanJson = Omit<PlanView, 'children' | 'cost' | 'fees' | 'total' | 'effectivePrice'> & {
  readonly children: readonly ChildJson[];
  readonly cost: string;
  readonly fees: string;
  readonly total: string;
  readonly effectivePrice: string | undefined;
};

export type OrderReportJson = Omit<OrderReport, 'plan' | 'orders' | 'average' | 'fees'> & {
  readonly plan: PlanJson;
  readonly orders: readonly OrderResult[];
  readonly average: string | undefined;
  readonly fees: readonly Fee[];
};

const j = (value: string | number): string => roundJson(value);
const jOpt = (value: string | number | undefined): string | undefined => (value === undefined ? undefined : roundJson(value));

export function planJson(plan: PlanView): PlanJson {
  return {
    ...plan,
    children: plan.children.map((c) => ({...c, expectedPrice: j(c.expectedPrice), worstPrice: jOpt(c.worstPrice), mid: jOpt(c.mid), cost: j(c.cost), fee: j(c.fee), total: j(c.total)})),
    cost: j(plan.cost),
    fees: j(plan.fees),
    total: j(plan.total),
    effectivePrice: jOpt(plan.effectivePrice),
  };
}

/** An order as JSON: computed averages and fees rounded to 8 decimals (exact); venue-given values as they are. */
export function orderJson<T extends OrderResult>(order: T): T {
  return {...order, average: jOpt(order.average), fees: order.fees.map((f) => ({...f, cost: j(f.cost)}))};
}

export function orderReportJson(report: OrderReport): OrderReportJson {
  return {...report, plan: planJson(report.plan), orders: report.orders.map(orderJson), average: jOpt(report.average), fees: report.fees.map((f) => ({...f, cost: j(f.cost)}))};
}

export function renderPlan(plan: PlanJson, color: boolean, c: ChalkInstance, digits?: (venue: string) => MarketDigits | undefined): string {
  const quote = quoteOf(plan.symbol);
  const sell = plan.side === 'sell';
  const head = ['#', 'venue', 'mode', 'type', 'amount', 'expected price', 'worst level', `notional ${quote}`, `fee ${quote}`, `${sell ? 'received' : 'cost'} ${quote}`];
  const rows = plan.children.map((ch) => {
    const d = digits?.(ch.venue);
    return [
      String(ch.leg),
      ch.venue,
      ch.mode === 'live' ? c.red('LIVE') : 'paper',
      ch.type === 'limit' ? `limit ${fmtPrice(ch.price, quote, d?.tick)}` : 'market',
      fmtAmount(ch.amount, d?.lot),
      fmtPrice(ch.expectedPrice, quote, d?.tick),
      fmtPrice(ch.worstPrice, quote, d?.tick),
      fmtMoney(ch.cost, quote),
      fmtMoney(ch.fee, quote),
      fmtMoney(ch.total, quote),
    ];
  });
  const tick = plan.children.length > 0 ? digits?.(plan.children[0]!.venue)?.tick : undefined;
  const totalLine = sell
    ? `total received: ${fmtMoney(plan.cost, quote)} - fees ${fmtMoney(plan.fees, quote)} = ${fmtMoney(plan.total, quote)} ${quote}`
    : `total cost: ${fmtMoney(plan.cost, quote)} + fees ${fmtMoney(plan.fees, quote)} = ${fmtMoney(plan.total, quote)} ${quote}`;
  const lines = [
    c.bold(`plan: ${plan.side} ${plan.amount} ${plan.symbol} ${plan.type === 'limit' ? `limit ${plan.limitPrice}` : 'at market'}, route ${plan.strategy}`),
    renderTable({head, rows, color, align: ['right', 'left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right']}),
    `${totalLine}; effective price after fees ${fmtPrice(plan.effectivePrice, quote, tick)}`,
  ];
  if (plan.unplanned !== '0') lines.push(c.yellow(`not placeable now: ${plan.unplanned} of ${plan.amount} (books, balances or limits)`));
  if (plan.fallbacks.length > 0) lines.push(`failover order: ${plan.fallbacks.join(', ')}`);
  for (const s of plan.skipped) lines.push(c.dim(`skipped ${s.venue}: ${s.reason}`));
  return lines.join('\n');
}

/** An order's time in output: ISO 8601 UTC to the second, e.g. 2025-01-15T09:30:00Z. */
export function isoTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/** Orders as a table; rows that carry `createdAt` (the journal's list) get a time column (ISO, UTC). */
export function renderOrders(orders: readonly (OrderResult & {readonly createdAt?: number})[], color: boolean, c: ChalkInstance, digits?: (venue: string, symbol: string) => MarketDigits | undefined): string {
  const timed = orders.some((o) => o.createdAt !== undefined);
  const head = [...(timed ? ['time (UTC)'] : []), 'id', 'venue', 'symbol', 'side', 'type', 'amount', 'status', 'filled', 'avg price', 'fees', 'client order id'];
  const rows = orders.map((o) => {
    const quote = quoteOf(o.symbol);
    const d = digits?.(o.venue, o.symbol);
    return [
      ...(timed ? [o.createdAt === undefined ? '-' : isoTime(o.createdAt)] : []),
      String(o.id),
      `${o.venue}${o.mode === 'paper' ? c.dim(' (paper)') : ''}`,
      o.symbol,
      o.side,
      o.type === 'limit' ? `limit ${fmtPrice(o.price, quote, d?.tick)}` : 'market',
      fmtAmount(o.amount, d?.lot),
      statusText(o.status, c),
      fmtAmount(o.filled, d?.lot),
      o.average === undefined ? '-' : fmtPrice(o.average, quote, d?.tick),
      fmtFees(o.fees),
      o.clientOrderId,
    ];
  });
  const table = renderTable({head, rows, color, align: [...(timed ? (['left'] as const) : []), 'right', 'left', 'left', 'left', 'left', 'right', 'left', 'right', 'right', 'right', 'left']});
  const errors = orders.filter((o) => o.error && (o.status === 'rejected' || o.status === 'unknown')).map((o) => c.dim(`#${o.id} ${o.venue}: ${o.error}`));
  return [table, ...errors].join('\n');
}

export function statusText(status: string, c: ChalkInstance): string {
  switch (status) {
    case 'closed':
      return c.green(status);
    case 'rejected':
      return c.red(status);
    case 'unknown':
    case 'pending_submit':
      return c.yellow(status);
    default:
      return status;
  }
}
