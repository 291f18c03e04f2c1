/**
 * Human rendering of order plans and outcomes (derived from the same values
 * the commands return as JSON).
 */
import type {ChalkInstance} from 'chalk';
import type {OrderResult} from '../core/execution/place.js';
import type {PlanView} from '../core/execution/order.js';
import type {Fee} from '../core/types.js';
import {fmtAmount, fmtPrice, renderTable} from './table.js';

export function fmtFees(fees: readonly Fee[]): string {
  return fees.length === 0 ? '-' : fees.map((f) => `${fmtAmount(f.cost)} ${f.currency}`).join(' + ');
}

export function quoteOf(symbol: string): string {
  return symbol.split('/')[1]?.split(':')[0] ?? '';
}

export function renderPlan(plan: PlanView, color: boolean, c: ChalkInstance): string {
  const quote = quoteOf(plan.symbol);
  const head = ['#', 'venue', 'mode', 'type', 'amount', 'expected price', 'worst level', `cost ${quote}`, `fee ${quote}`, `total ${quote}`];
  const rows = plan.children.map((ch) => [
    String(ch.leg),
    ch.venue,
    ch.mode === 'live' ? c.red('LIVE') : 'paper',
    ch.type === 'limit' ? `limit ${ch.price}` : 'market',
    ch.amount,
    fmtPrice(ch.expectedPrice),
    fmtPrice(ch.worstPrice),
    fmtPrice(ch.cost),
    fmtPrice(ch.fee),
    fmtPrice(ch.total),
  ]);
  const lines = [
    c.bold(`plan: ${plan.side} ${plan.amount} ${plan.symbol} ${plan.type === 'limit' ? `limit ${plan.limitPrice}` : 'at market'}, route ${plan.strategy}`),
    renderTable({head, rows, color, align: ['right', 'left', 'left', 'left', 'right', 'right', 'right', 'right', 'right', 'right']}),
    `total: cost ${fmtPrice(plan.cost)} + fees ${fmtPrice(plan.fees)} = ${fmtPrice(plan.total)} ${quote}${plan.side === 'sell' ? ' received' : ''}; effective price ${fmtPrice(plan.effectivePrice)}`,
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
export function renderOrders(orders: readonly (OrderResult & {readonly createdAt?: number})[], color: boolean, c: ChalkInstance): string {
  const timed = orders.some((o) => o.createdAt !== undefined);
  const head = [...(timed ? ['time (UTC)'] : []), 'id', 'venue', 'symbol', 'side', 'type', 'amount', 'status', 'filled', 'avg price', 'fees', 'client order id'];
  const rows = orders.map((o) => [
    ...(timed ? [o.createdAt === undefined ? '-' : isoTime(o.createdAt)] : []),
    String(o.id),
    `${o.venue}${o.mode === 'paper' ? c.dim(' (paper)') : ''}`,
    o.symbol,
    o.side,
    o.type === 'limit' ? `limit ${o.price}` : 'market',
    o.amount,
    statusText(o.status, c),
    o.filled,
    o.average === undefined ? '-' : fmtPrice(Number(o.average)),
    fmtFees(o.fees),
    o.clientOrderId,
  ]);
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
