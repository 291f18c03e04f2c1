/**
 * Applies the repairs of one venue's discrepancies (`--fix`) in one journal
 * transaction: either every change of the venue lands, with one event per
 * change, or none does (a crash mid-way leaves the journal as it was).
 *
 * Changes go through OrdersRepo so its rules and the risk aggregates hold.
 * Order: imports first, then order updates, then fills (so fills link to the
 * orders they belong to), then the balance baseline. Repairs are idempotent:
 * applying one twice changes nothing the second time.
 */
import type {Db} from '../journal/db.js';
import {EventsRepo} from '../journal/events.js';
import {executedNotional, OrdersRepo} from '../journal/orders.js';
import type {ReconcileRunsRepo} from '../journal/reconcile-runs.js';
import {add, dec, mul} from '../money/decimal.js';
import type {Clock, ExecutionMode, VenueOrder} from '../types.js';
import {splitSymbol} from './balances.js';
import type {Discrepancy, Repair} from './types.js';

export interface ApplyContext {
  readonly db: Db;
  readonly clock: Clock;
  /** The reconcile run applying the repairs; absent for the sync step (which never rebaselines). */
  readonly runs?: ReconcileRunsRepo;
  readonly runId?: number;
  /** Prefix of the events written: `reconcile` (default) or `sync`. */
  readonly source?: 'reconcile' | 'sync';
  readonly venue: string;
  readonly mode: ExecutionMode;
  /** Local time of the balance snapshot a rebaseline records. */
  readonly balancesAt: number;
}

const RANK: Record<Repair['op'], number> = {import_order: 0, apply_venue_order: 1, set_status: 1, import_fill: 2, rebaseline: 3};

/** Notional of an order found only on the venue: what executed, else amount x limit price, else 0 (nothing traded, no price). */
function importedNotional(order: VenueOrder): string {
  const executed = executedNotional({filled: dec(order.filled), average: order.average, price: order.price, amount: dec(order.amount), notional: '0'});
  if (executed !== '0') return executed;
  return order.price !== undefined ? mul(order.amount, order.price) : '0';
}

/** Applies every repair present; returns how many changes were made. */
export function applyRepairs(ctx: ApplyContext, discrepancies: readonly Discrepancy[]): number {
  const orders = new OrdersRepo(ctx.db, ctx.clock);
  const events = new EventsRepo(ctx.db, ctx.clock);
  const repairs = discrepancies
    .filter((d): d is Discrepancy & {repair: Repair} => d.repair !== undefined)
    .sort((a, b) => RANK[a.repair.op] - RANK[b.repair.op]);
  const base = {venue: ctx.venue};
  const source = ctx.source ?? 'reconcile';
  return ctx.db.tx(() => {
    // The rows of the orders it may change, locked before anything is written (see OrdersRepo.lockRows), and the usage
    // aggregates moved once, after every order write (RiskUsageRepo.deferred).
    orders.lockRows(
      ctx.venue,
      repairs.flatMap(({repair}) => (repair.op === 'apply_venue_order' || repair.op === 'set_status' ? [repair.clientOrderId] : [])),
    );
    return orders.riskUsage.deferred(() => repairAll());
  });

  function repairAll(): number {
    let changes = 0;
    const appliedOrders = new Set<string>();
    let rebaselined = false;
    for (const {repair, kind} of repairs) {
      const data = {run: ctx.runId ?? null, discrepancy: kind};
      switch (repair.op) {
        case 'import_order': {
          if (orders.byClientOrderId(ctx.venue, repair.clientOrderId)) break;
          const o = repair.order;
          const market = splitSymbol(o.symbol);
          const imported = orders.insert({
            venue: ctx.venue,
            clientOrderId: repair.clientOrderId,
            symbol: o.symbol,
            quote: market?.settle ?? market?.quote ?? o.symbol,
            side: o.side,
            type: o.type,
            amount: o.amount,
            ...(o.price !== undefined ? {price: o.price} : {}),
            notional: importedNotional(o),
            mode: ctx.mode,
            origin: 'external',
            status: o.status,
            venueOrderId: o.id,
            filled: o.filled,
            ...(o.average !== undefined ? {average: o.average} : {}),
            createdAt: o.timestamp,
          });
          events.append({...base, kind: `${source}.order_imported`, ref: repair.clientOrderId, data: {...data, orderId: imported.id, venueOrderId: o.id, status: o.status, filled: o.filled}});
          changes++;
          break;
        }
        case 'apply_venue_order': {
          if (appliedOrders.has(repair.clientOrderId)) break;
          appliedOrders.add(repair.clientOrderId);
          const before = orders.byClientOrderId(ctx.venue, repair.clientOrderId);
          if (!before) break;
          const after = orders.applyVenueOrder(before.id, repair.order, {venueWins: true});
          events.append({
            ...base,
            kind: `${source}.order_updated`,
            ref: repair.clientOrderId,
            data: {...data, before: {status: before.status, filled: before.filled, average: before.average ?? null, venueOrderId: before.venueOrderId ?? null}, after: {status: after.status, filled: after.filled, average: after.average ?? null, venueOrderId: after.venueOrderId ?? null}},
          });
          changes++;
          break;
        }
        case 'set_status': {
          const before = orders.byClientOrderId(ctx.venue, repair.clientOrderId);
          if (!before || before.status === repair.status) break;
          const after = repair.status === 'rejected' ? orders.markRejected(before.id, repair.error) : orders.setStatus(before.id, repair.status, repair.error);
          events.append({...base, kind: `${source}.order_updated`, ref: repair.clientOrderId, data: {...data, before: {status: before.status}, after: {status: after.status}, reason: repair.error}});
          changes++;
          break;
        }
        case 'import_fill': {
          const owner = repair.clientOrderId !== undefined ? orders.byClientOrderId(ctx.venue, repair.clientOrderId) : undefined;
          const added = orders.recordFills(ctx.venue, [repair.trade], {...(owner ? {orderId: owner.id} : {}), origin: repair.origin});
          if (added > 0) {
            const t = repair.trade;
            events.append({...base, kind: `${source}.fill_imported`, ref: t.id, data: {...data, order: repair.clientOrderId ?? null, venueOrderId: t.orderId, side: t.side, amount: t.amount, price: t.price, origin: repair.origin}});
            changes++;
          }
          break;
        }
        case 'rebaseline': {
          if (rebaselined || !ctx.runs || ctx.runId === undefined) break;
          rebaselined = true;
          const totals = totalsOf(repair.balances);
          const previous = ctx.runs.baseline(ctx.venue);
          ctx.runs.setBaseline(ctx.venue, totals, ctx.balancesAt, ctx.runId);
          events.append({...base, kind: 'reconcile.rebaselined', ref: String(ctx.runId), data: {...data, before: previous ? Object.fromEntries(previous.totals) : null, after: Object.fromEntries(totals)}});
          changes++;
          break;
        }
      }
    }
    return changes;
  }
}

export function totalsOf(balances: readonly {asset: string; total: string}[]): Map<string, string> {
  const totals = new Map<string, string>();
  for (const b of balances) totals.set(b.asset, add(totals.get(b.asset) ?? '0', b.total));
  return totals;
}
