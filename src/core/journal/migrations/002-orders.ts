import type {Migration} from './index.js';

/**
 * Orders, fills and trading state. Amounts and prices are decimal TEXT.
 * Journal order status: pending_submit (written, not yet sent) -> open |
 * closed | canceled | rejected | expired, or unknown (sent, answer lost;
 * resolved by looking the clientOrderId up on the venue, never by re-sending).
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
      symbol TEXT NOT NULL,
      side TEXT NOT NULL CHECK (side IN ('buy', 'sell')),
      type TEXT NOT NULL CHECK (type IN ('market', 'limit')),
      amount TEXT NOT NULL,
      price TEXT,
      notional TEXT NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('pending_submit', 'unknown', 'open', 'closed', 'canceled', 'rejected', 'expired')),
      filled TEXT NOT NULL DEFAULT '0',
      average TEXT,
      mode TEXT NOT NULL CHECK (mode IN ('paper', 'live')),
      origin TEXT NOT NULL DEFAULT 'xarb' CHECK (origin IN ('xarb', 'external')),
      error TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      UNIQUE (venue, client_order_id)
    );
    CREATE INDEX orders_status ON orders (status, venue);
    CREATE INDEX orders_created ON orders (created_at);
    CREATE INDEX orders_venue_order_id ON orders (venue, venue_order_id);

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
      PRIMARY KEY (venue, trade_id)
    );
    CREATE INDEX fills_order ON fills (order_id);
    CREATE INDEX fills_symbol_ts ON fills (symbol, ts);

    -- Trading state: one row. active | reducing | halted.
    CREATE TABLE risk_state (
      id INTEGER PRIMARY KEY CHECK (id = 1),
      state TEXT NOT NULL CHECK (state IN ('active', 'reducing', 'halted')),
      reason TEXT,
      updated_at INTEGER NOT NULL
    );
    INSERT INTO risk_state (id, state, reason, updated_at) VALUES (1, 'active', NULL, 0);

    -- Balances of paper-mode venues, moved by simulated fills and transfers.
    CREATE TABLE paper_balances (
      venue TEXT NOT NULL,
      asset TEXT NOT NULL,
      free TEXT NOT NULL,
      used TEXT NOT NULL DEFAULT '0',
      PRIMARY KEY (venue, asset)
    );
  `,
};
