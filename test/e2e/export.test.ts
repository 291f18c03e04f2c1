/**
 * `xarb export` end to end: fills, orders, the PnL ledger and balances
 * exported from a journal filled by real (paper) orders on the demo venues,
 * read back and compared with the journal row for row.
 */
import {existsSync, readFileSync, statSync} from 'node:fs';
import {join} from 'node:path';
import {beforeAll, describe, expect, it} from 'vitest';
import {openDb} from '../../src/core/journal/db.js';
import {add, roundToStep} from '../../src/core/money/decimal.js';
import {json, runCli, tempHome} from '../support/cli.js';

const ENV = {XARB_NO_DEMO_NOTICE: '1'};
const run = (home: string, ...args: string[]) => runCli(args, {home, env: ENV});

/** RFC 4180 reader: quoted cells, doubled quotes, CRLF rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(cell);
      cell = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
      i++;
    } else cell += ch;
  }
  if (cell !== '' || row.length > 0) throw new Error('CSV does not end with CRLF');
  return rows;
}

function records(text: string): Record<string, string>[] {
  const [head, ...rows] = parseCsv(text);
  for (const r of rows) expect(r).toHaveLength(head!.length);
  return rows.map((r) => Object.fromEntries(head!.map((h, i) => [h, r[i]!])));
}

const r8 = (values: readonly string[]) => roundToStep(add('0', ...values), '0.00000001', 'nearest');

interface FillRow {
  venue: string;
  trade_id: string;
  symbol: string;
  side: string;
  amount: string;
  price: string;
  fee_cost: string | null;
  fee_currency: string | null;
  ts: number;
  client_order_id: string | null;
}

describe('xarb export (built CLI, demo venues)', () => {
  let home: string;
  let fills: FillRow[];
  beforeAll(async () => {
    home = tempHome();
    for (const [side, amount, venue] of [
      ['buy', '0.013', 'simbit'],
      ['buy', '0.02', 'simkraken'],
      ['sell', '0.005', 'simbit'],
      ['buy', '1.5', 'simgate'],
    ] as const) {
      const symbol = venue === 'simgate' ? 'ETH/USD' : 'BTC/USD';
      const r = await run(home, 'order', side, symbol, amount, '--venue', venue, ...(venue === 'simkraken' ? ['--client-id', 'lot-2026.1'] : []));
      expect(r.code, r.stderr).toBe(0);
    }
    expect((await run(home, 'balances')).code).toBe(0);
    const db = openDb(join(home, 'journal.db'), {readonly: true});
    fills = db.prepare<FillRow>('SELECT * FROM fills ORDER BY ts, venue, symbol, trade_id').all();
    db.close();
    expect(fills.length).toBe(4);
  }, 240_000);

  it('fills round-trip through CSV and JSON Lines: same rows, exact decimal strings, ISO 8601 UTC times', async () => {
    const csv = await run(home, 'export', 'fills');
    expect(csv.code, csv.stderr).toBe(0);
    const rows = records(csv.stdout);
    expect(rows.map((r) => [r.venue, r.trade_id, r.symbol, r.side, r.amount, r.price, r.fee, r.fee_currency, r.time, r.client_order_id])).toEqual(
      fills.map((f) => [f.venue, f.trade_id, f.symbol, f.side, f.amount, f.price, f.fee_cost ?? '', f.fee_currency ?? '', new Date(f.ts).toISOString(), f.client_order_id ?? '']),
    );
    for (const r of rows) expect(r.time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);

    const jsonl = await run(home, 'export', 'fills', '--format', 'jsonl');
    expect(jsonl.code, jsonl.stderr).toBe(0);
    const lines = jsonl.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === '' ? null : v]))));
    expect(typeof lines[0].amount).toBe('string');
  });

  it('filters by venue and time window', async () => {
    const simbit = records((await run(home, 'export', 'fills', '--venues', 'simbit')).stdout);
    expect(simbit.map((r) => r.trade_id)).toEqual(fills.filter((f) => f.venue === 'simbit').map((f) => f.trade_id));
    const second = fills[1]!.ts;
    const window = records((await run(home, 'export', 'fills', '--since', new Date(second).toISOString(), '--until', new Date(fills[2]!.ts).toISOString())).stdout);
    expect(window.map((r) => r.trade_id)).toEqual(fills.slice(1, 3).map((f) => f.trade_id));
    const none = await run(home, 'export', 'fills', '--since', '2999-01-01');
    expect(none.code).toBe(0);
    expect(parseCsv(none.stdout)).toHaveLength(1); // the header only
    expect((await run(home, 'export', 'fills', '--since', 'yesterday')).code).toBe(2);
    expect((await run(home, 'export', 'trades')).code).toBe(2);
    expect((await run(home, 'export', 'fills', '--format', 'xlsx')).code).toBe(2);
  });

  it('the PnL ledger agrees with `xarb pnl` (realized per asset), orders and balances match the journal', async () => {
    const ledger = records((await run(home, 'export', 'pnl')).stdout);
    expect(ledger).toHaveLength(fills.length);
    const pnl = json(await run(home, 'pnl', '--json'));
    expect(pnl.assets.length).toBeGreaterThan(0);
    for (const s of pnl.assets) {
      const rows = ledger.filter((r) => r.asset === s.asset);
      // Each ledger row is exact; `pnl` shows the total to 8 decimals.
      expect(roundToStep(add(...rows.map((r) => r.realized!)), '0.00000001', 'nearest')).toBe(s.realized);
      expect(rows.at(-1)!.position).toBe(s.position);
    }

    const orders = records((await run(home, 'export', 'orders')).stdout);
    const db = openDb(join(home, 'journal.db'), {readonly: true});
    const journalled = db.prepare<{client_order_id: string; status: string; filled: string}>('SELECT client_order_id, status, filled FROM orders ORDER BY created_at, id').all();
    const assets = db.prepare<{n: number}>("SELECT COUNT(*) AS n FROM balance_snapshot_assets").get()!.n;
    db.close();
    expect(orders.map((o) => [o.client_order_id, o.status, o.filled])).toEqual(journalled.map((o) => [o.client_order_id, o.status, o.filled]));

    const balances = records((await run(home, 'export', 'balances', '--format', 'csv')).stdout);
    expect(balances).toHaveLength(assets);
    expect(balances[0]).toMatchObject({quote: 'USD', time: expect.stringMatching(/Z$/)});
  });

  it('--output writes a new 0600 file and never overwrites one', async () => {
    const file = join(tempHome(), 'fills.csv');
    const r = await run(home, 'export', 'fills', '--output', file);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(records(readFileSync(file, 'utf8'))).toHaveLength(fills.length);
    const again = await run(home, 'export', 'fills', '--output', file);
    expect(again.code).toBe(2);
    expect(existsSync(file)).toBe(true);
  });

  it('streams a large journal', async () => {
    const big = tempHome();
    expect((await run(big, 'risk', 'show')).code).toBe(0);
    const db = openDb(join(big, 'journal.db'));
    const insert = db.prepare("INSERT INTO fills (venue, trade_id, symbol, side, price, amount, fee_cost, fee_currency, ts, origin) VALUES ('v', ?, 'BTC/USD', ?, ?, '0.001', '0.01', 'USD', ?, 'external')");
    db.tx(() => {
      for (let i = 0; i < 60_000; i++) insert.run([`t${i}`, i % 2 ? 'sell' : 'buy', `${60000 + (i % 97)}.25`, 1_700_000_000_000 + i]);
    });
    db.close();
    const r = await runCli(['export', 'pnl', '--format', 'jsonl'], {home: big, env: ENV, timeoutMs: 120_000});
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(60_000);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({trade_id: 't59999', position: '0'});
  }, 180_000);
});

describe('xarb export pnl agrees with xarb pnl across quote currencies (demo venues)', () => {
  let home: string;
  beforeAll(async () => {
    home = tempHome();
    // Journal the USDT rate first, so both commands convert at the rate of the fills' time, not a moving current one.
    expect((await run(home, 'prices', 'BTC/USDT', 'USDT/USD')).code).toBe(0);
    for (const [side, symbol, amount] of [
      ['buy', 'BTC/USDT', '0.01'],
      ['sell', 'BTC/USD', '0.006'],
      ['buy', 'BTC/USD', '0.004'],
      ['sell', 'BTC/USDT', '0.005'],
    ] as const) {
      const r = await run(home, 'order', side, symbol, amount, '--yes');
      expect(r.code, r.stderr).toBe(0);
    }
  }, 240_000);

  it('one BTC book over BTC/USDT and BTC/USD: the same realized, fees and position, the same USDT rate', async () => {
    const pnl = json(await run(home, 'pnl', '--json'));
    const btc = pnl.assets.find((a: any) => a.asset === 'BTC');
    expect(btc.markets).toEqual(['BTC/USD', 'BTC/USDT']);
    const usdt = btc.rates.find((r: any) => r.currency === 'USDT');
    expect(usdt.atCurrentRate).toBe(0);
    const exported = await run(home, 'export', 'pnl', '--format', 'jsonl');
    expect(exported.code, exported.stderr).toBe(0);
    const rows = exported.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(4);
    expect(new Set(rows.map((r) => r.asset))).toEqual(new Set(['BTC']));
    expect(rows.every((r) => r.currency === 'USD')).toBe(true);
    // `pnl` names the rate of the latest fill in each currency.
    const lastUsdt = rows.filter((x) => x.quote === 'USDT').at(-1);
    expect([lastUsdt.rate, lastUsdt.rate_source]).toEqual([usdt.rate, usdt.source]);
    expect(rows.filter((x) => x.quote === 'USDT').every((x) => x.rate_source.startsWith('journalled '))).toBe(true);
    expect(r8(rows.map((r) => r.realized))).toBe(pnl.total.realized);
    expect(r8(rows.map((r) => r.fee_value))).toBe(pnl.total.fees);
    expect(rows.at(-1).position).toBe(btc.position);
    expect(rows.at(-1).average_entry).toBe(btc.averageEntry);
  });

  it('with --since, the rows of the window sum to pnl --since', async () => {
    const db = openDb(join(home, 'journal.db'), {readonly: true});
    const third = db.prepare<{ts: number}>('SELECT ts FROM fills ORDER BY ts, venue, symbol, trade_id').all()[2]!.ts;
    db.close();
    const since = new Date(third).toISOString();
    const pnl = json(await run(home, 'pnl', '--since', since, '--json'));
    const rows = (await run(home, 'export', 'pnl', '--since', since, '--format', 'jsonl')).stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
    expect(rows).toHaveLength(2);
    expect(r8(rows.map((r) => r.realized))).toBe(pnl.total.realized);
    expect(r8(rows.map((r) => r.fee_value))).toBe(pnl.total.fees);
  });
});
