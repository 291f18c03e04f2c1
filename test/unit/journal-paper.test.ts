import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {openDb} from '../../src/core/journal/db.js';
import {migrations} from '../../src/core/journal/migrations/index.js';
import {PaperRepo} from '../../src/core/journal/paper-balances.js';
import type {Trade} from '../../src/core/types.js';

const folder = mkdtempSync(join(tmpdir(), 'xarb-paper-'));
afterAll(() => rmSync(folder, {recursive: true, force: true}));

const trade = (id: string, ts: number, over: Partial<Trade> = {}): Trade => ({
  id,
  orderId: 'P1',
  clientOrderId: 'c1',
  symbol: 'BTC/USD',
  side: 'buy',
  price: '100',
  amount: '0.1',
  fee: {cost: '0.01', currency: 'USD'},
  takerOrMaker: 'taker',
  timestamp: ts,
  ...over,
});

describe('paper trades in the journal', () => {
  it('keep taker or maker, and list in the order they were booked', () => {
    const db = openDb(join(folder, 'a.db'));
    const repo = new PaperRepo(db);
    for (let i = 1; i <= 11; i++) repo.insertTrade('p', trade(`P1-${i}`, 1000, {takerOrMaker: i === 11 ? 'maker' : 'taker'}));
    const listed = repo.trades('p');
    expect(listed.map((t) => t.id)).toEqual(Array.from({length: 11}, (_, i) => `P1-${i + 1}`));
    expect(listed.map((t) => t.takerOrMaker).slice(-2)).toEqual(['taker', 'maker']);
    db.close();
  });

  it('an older journal learns which of its trades were maker fills from their orders', () => {
    const path = join(folder, 'b.db');
    const before = migrations.filter((m) => m.version < 7); // the journal as it was before paper-trades (migration 7)
    const old = openDb(path, {migrations: before});
    old.exec(`
      INSERT INTO paper_orders (venue, id, seq, client_order_id, symbol, side, type, amount, price, status, filled, cost, fee_cost, fee_currency, fee_rate, reserved, swept_at, created_at, updated_at)
      VALUES ('p', 'P1', 1, 'c1', 'BTC/USD', 'buy', 'limit', '1', '100', 'closed', '1', '100', '0.1', 'USD', '0.001', '0', 2000, 1000, 2000);
      INSERT INTO paper_trades (venue, id, order_id, client_order_id, symbol, side, price, amount, fee_cost, fee_currency, ts)
      VALUES ('p', 'P1-1', 'P1', 'c1', 'BTC/USD', 'buy', '100', '0.5', '0.05', 'USD', 1000),
             ('p', 'P1-2', 'P1', 'c1', 'BTC/USD', 'buy', '100', '0.5', '0.025', 'USD', 2000);
    `);
    old.close();
    const db = openDb(path);
    expect(new PaperRepo(db).trades('p').map((t) => [t.id, t.takerOrMaker])).toEqual([
      ['P1-1', 'taker'],
      ['P1-2', 'maker'],
    ]);
    db.close();
  });
});
