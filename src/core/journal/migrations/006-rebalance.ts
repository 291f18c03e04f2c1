import type {Migration} from './index.js';

/**
 * Rebalance plans, their steps, and transfers between venues.
 *
 * Plan status: executing (steps being run) -> waiting (only arrivals, and
 * steps that need them, remain) -> done; failed (a step failed: resumable);
 * abandoned (the user dropped it; transfers already sent are still followed).
 *
 * Step state: pending -> running -> done | failed | unknown (outcome not
 * known: resolved by asking the venue, never by sending again); a transfer
 * step is `sent` while its withdrawal is on its way, `done` once the deposit
 * is seen; canceled when its plan is abandoned before it ran.
 *
 * Transfer state (written before the withdrawal is sent): pending_submit ->
 * sent (the venue accepted it) -> arrived (deposit seen on the destination),
 * or failed (definitely refused, or the venue reports it failed), or unknown
 * (no answer: resolved through the venue's withdrawal history).
 */
export const rebalance: Migration = {
  version: 6,
  name: 'rebalance',
  up: `
    CREATE TABLE rebalance_plans (
      id TEXT PRIMARY KEY,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      status TEXT NOT NULL CHECK (status IN ('executing', 'waiting', 'done', 'failed', 'abandoned')),
      quote TEXT NOT NULL,
      plan TEXT NOT NULL
    );
    CREATE INDEX rebalance_plans_status ON rebalance_plans (status, created_at);

    CREATE TABLE rebalance_steps (
      plan_id TEXT NOT NULL REFERENCES rebalance_plans (id),
      step_id TEXT NOT NULL,
      seq INTEGER NOT NULL,
      kind TEXT NOT NULL CHECK (kind IN ('trade', 'transfer')),
      venue TEXT NOT NULL,
      step TEXT NOT NULL,
      state TEXT NOT NULL CHECK (state IN ('pending', 'running', 'unknown', 'sent', 'done', 'failed', 'canceled')),
      -- What was sent, written before sending (amount as adjusted to the balance at that moment, attempt key).
      exec TEXT,
      order_plan_id TEXT,
      transfer_id TEXT,
      error TEXT,
      attempts INTEGER NOT NULL DEFAULT 0,
      updated_at INTEGER NOT NULL,
      PRIMARY KEY (plan_id, step_id),
      UNIQUE (plan_id, seq)
    );

    CREATE TABLE transfers (
      id TEXT PRIMARY KEY,
      plan_id TEXT REFERENCES rebalance_plans (id),
      step_id TEXT,
      asset TEXT NOT NULL,
      from_venue TEXT NOT NULL,
      to_venue TEXT NOT NULL,
      amount TEXT NOT NULL,
      fee TEXT,
      expected TEXT NOT NULL,
      received TEXT,
      network TEXT,
      address TEXT,
      tag TEXT,
      address_source TEXT CHECK (address_source IN ('venue', 'allowlist', 'paper')),
      mode TEXT NOT NULL CHECK (mode IN ('paper', 'live')),
      state TEXT NOT NULL CHECK (state IN ('pending_submit', 'unknown', 'sent', 'arrived', 'failed', 'canceled')),
      withdrawal_id TEXT,
      txid TEXT,
      deposit_id TEXT,
      error TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      sent_at INTEGER,
      arrived_at INTEGER
    );
    CREATE INDEX transfers_state ON transfers (state, to_venue);
    CREATE INDEX transfers_plan ON transfers (plan_id);
    -- One deposit settles one transfer; one withdrawal belongs to one transfer.
    CREATE UNIQUE INDEX transfers_deposit ON transfers (to_venue, deposit_id) WHERE deposit_id IS NOT NULL;
    CREATE UNIQUE INDEX transfers_withdrawal ON transfers (from_venue, withdrawal_id) WHERE withdrawal_id IS NOT NULL;
  `,
};
