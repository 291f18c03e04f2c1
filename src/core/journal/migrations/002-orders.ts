import type {Migration} from './index.js';

/**
 * Orders, fills, plans, trading state, risk usage and the paper venues'
 * own books. Amounts and prices are decimal TEXT.
 *
 * Journal order status: pending_submit (written, not yet sent) -> open |
 * closed | canceled | rejected | expired, or unknown (sent, answer lost;
 * resolved by looking the clientOrderId up on the venue, never by re-sending).
 *
 * risk_daily_volume and risk_open_orders are aggregates of the orders table,
 * maintained by OrdersRepo in the same transaction as every order write (so
 * a risk check reads a handful of rows however many orders exist);
 * OrdersRepo.rebuildUsage() recomputes them from the orders.
 *
 * Fills are keyed by (venue, symbol, trade_id): several venues number trades
 * per market, so one trade id can appear on two markets of the same venue.
 *
 * paper_orders / paper_trades / paper_balances are the *venue side* of paper
 * venues (what a real exchange would hold), kept apart from the journal's own
 * view (orders / fills) so reconcile compares two independent states.
 */
export const orders: Migration = {
  version: 2,
  name: 'orders',
  up: `
    CREATE TABLE plans (
      id TEXT PRIMARY KEY,
      created_at INTEGER NOT NULL,
      kind TEXT NOT NULL,
      intent TEXT NOT NULL,
      plan TEXT NOT NULL,
      status TEXT NOT NULL
    );

    CREATE TABLE orders (
      id INTEGER PRIMARY KEY,
      venue TEXT NOT NULL,
      client_order_id TEXT NOT NULL,
      venue_order_id TEXT,
      plan_id TEXT REFERENCES plans (id),
      leg INTEGER,
      symbol TEXT NOT NULL,
      side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
      type TEXT NOT NULL CHECK (type IN ('market', 'limit')),
      amount TEXT NOT NULL,
      price TEXT,
      notional TEXT NOT NULL,
      quote TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending_submit', 'unknown', 'open', 'closed', 'canceled', 'rejected', 'expired')),
      filled TEXT NOT NULL DEFAULT '0',
      average TEXT,
      fees TEXT NOT NULL DEFAULT '[]',
      mode TEXT NOT NULL CHECK (mode IN ('paper', 'live')),
      origin TEXT NOT NULL DEFAULT 'xarb' CHECK (origin IN ('xarb', 'external')),
      error TEXT,
      volume_counted TEXT NOT NULL DEFAULT '0',
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      UNIQUE (venue, client_order_id)
    );
    CREATE INDEX orders_status ON orders (status, venue);
    CREATE INDEX orders_created ON orders (created_at);
    CREATE INDEX orders_venue_order_id ON orders (venue, venue_order_id);
    CREATE INDEX orders_plan ON orders (plan_id);

    CREATE TABLE fills (
      venue TEXT NOT NULL,
      trade_id TEXT NOT NULL,
      order_id INTEGER REFERENCES orders (id),
      venue_order_id TEXT,
      client_order_id TEXT,
      symbol TEXT NOT NULL,
      side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
      price TEXT NOT NULL,
      amount TEXT NOT NULL,
      fee_cost TEXT,
      fee_currency TEXT,
      taker_or_maker TEXT,
      ts INTEGER NOT NULL,
      origin TEXT NOT NULL DEFAULT 'xarb' CHECK (origin IN ('xarb', 'external')),
      -- Trade ids are unique per market only on some venues (binance, okx).
      PRIMARY KEY (venue, symbol, trade_id)
    );
    CREATE INDEX fills_order ON fills (order_id);
    CREATE INDEX fills_symbol_ts ON fills (symbol, ts);
    CREATE INDEX fills_venue_ts ON fills (venue, ts);

    -- Trading state: one row. active | reducing | halted.
    CREATE TABLE risk_state (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      state TEXT NOT NULL CHECK (state IN ('active', 'reducing', 'halted')),
      reason TEXT,
      updated_at INTEGER NOT NULL
    );
    INSERT INTO risk_state (id, state, reason, updated_at) VALUES (1, 'active', NULL, 0);

    -- Notional traded per UTC day, venue and symbol, in the symbol's quote.
    CREATE TABLE risk_daily_volume (
      day TEXT NOT NULL,
      venue TEXT NOT NULL,
      symbol TEXT NOT NULL,
      quote TEXT NOT NULL,
      volume TEXT NOT NULL,
      PRIMARY KEY (day, venue, symbol)
    );

    -- Open and in-flight (pending_submit, unknown, open) orders per venue, symbol and side.
    CREATE TABLE risk_open_orders (
      venue TEXT NOT NULL,
      symbol TEXT NOT NULL,
      side TEXT NOT NULL,
      orders INTEGER NOT NULL,
      remaining TEXT NOT NULL,
      PRIMARY KEY (venue, symbol, side)
    );

    -- Balances of paper-mode venues, moved by simulated fills and transfers.
    CREATE TABLE paper_balances (
      venue TEXT NOT NULL,
      asset TEXT NOT NULL,
      free TEXT NOT NULL,
      used TEXT NOT NULL DEFAULT '0',
      PRIMARY KEY (venue, asset)
    );

    CREATE TABLE paper_orders (
      venue TEXT NOT NULL,
      id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      client_order_id TEXT,
      symbol TEXT NOT NULL,
      side TEXT NOT NULL,
      type TEXT NOT NULL,
      amount TEXT NOT NULL,
      price TEXT,
      status TEXT NOT NULL,
      filled TEXT NOT NULL,
      cost TEXT NOT NULL,
      fee_cost TEXT NOT NULL,
      fee_currency TEXT NOT NULL,
      fee_rate TEXT NOT NULL,
      reserved TEXT NOT NULL DEFAULT '0',
      -- Timestamp of the last book a resting order was matched against: each new book is new liquidity.
      swept_at INTEGER NOT NULL DEFAULT 0,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (venue, id)
    );
    CREATE UNIQUE INDEX paper_orders_client ON paper_orders (venue, client_order_id);
    CREATE INDEX paper_orders_status ON paper_orders (venue, status);

    CREATE TABLE paper_trades (
      venue TEXT NOT NULL,
      id TEXT NOT NULL,
      order_id TEXT NOT NULL,
      client_order_id TEXT,
      symbol TEXT NOT NULL,
      side TEXT NOT NULL,
      price TEXT NOT NULL,
      amount TEXT NOT NULL,
      fee_cost TEXT NOT NULL,
      fee_currency TEXT NOT NULL,
      ts INTEGER NOT NULL,
      PRIMARY KEY (venue, id)
    );
    CREATE INDEX paper_trades_ts ON paper_trades (venue, ts);
  `,
};
