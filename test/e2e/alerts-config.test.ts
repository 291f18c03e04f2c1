import {createHmac} from 'node:crypto';
import {join} from 'node:path';
import Database from 'better-sqlite3';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {json, runCli, tempHome} from '../support/cli.js';
import {deadUrl, startReceiver, type WebhookReceiver} from '../support/webhook-receiver.js';

const SECRET = 'e2e-loopback-secret';
let receiver: WebhookReceiver;
beforeEach(async () => {
  receiver = await startReceiver();
});
afterEach(() => receiver.close());

function signatureOk(body: string, header: unknown): boolean {
  return header === `sha256=${createHmac('sha256', SECRET).update(body).digest('hex')}`;
}

function events(home: string, kind: string): {kind: string; data: string}[] {
  const db = new Database(join(home, 'journal.db'), {readonly: true});
  try {
    return db.prepare('SELECT kind, data FROM events WHERE kind = ?').all(kind) as {kind: string; data: string}[];
  } finally {
    db.close();
  }
}

describe('alerts on the built CLI', () => {
  it('alerts test sends exactly one signed POST per receiver', async () => {
    const home = tempHome({alerts: {webhooks: [receiver.url]}});
    const r = await runCli(['alerts', 'test', '--json'], {home, env: {XARB_ALERTS_SECRET: SECRET}});
    expect(r.code).toBe(0);
    expect(json(r).deliveries).toEqual([{url: receiver.url, ok: true, attempts: 1, status: 200, error: null, signed: true}]);
    expect(receiver.posts).toHaveLength(1);
    const post = receiver.posts[0]!;
    expect(signatureOk(post.body, post.headers['x-xarb-signature'])).toBe(true);
    expect(JSON.parse(post.body)).toMatchObject({source: 'xarb', kind: 'alert.test'});
    expect(r.stdout + r.stderr).not.toContain(SECRET);
  });

  it('risk halt and resume each post one signed alert; a dead receiver changes no exit code', async () => {
    const home = tempHome({alerts: {webhooks: [receiver.url], timeoutMs: 500}});
    expect((await runCli(['risk', 'halt', '--reason', 'incident'], {home, env: {XARB_ALERTS_SECRET: SECRET}})).code).toBe(0);
    expect((await runCli(['risk', 'resume'], {home, env: {XARB_ALERTS_SECRET: SECRET}})).code).toBe(0);
    expect(receiver.posts.map((p) => signatureOk(p.body, p.headers['x-xarb-signature']))).toEqual([true, true]);
    expect(receiver.posts.map((p) => (JSON.parse(p.body) as {data: {to: string}}).data.to)).toEqual(['halted', 'active']);

    const dead = tempHome({alerts: {webhooks: [await deadUrl()], timeoutMs: 500}});
    const halted = await runCli(['risk', 'halt', '--json'], {home: dead, env: {XARB_ALERTS_SECRET: SECRET}});
    expect(halted.code).toBe(0);
    expect(json(halted).state).toBe('halted');
    expect(events(dead, 'alert.failed')).toHaveLength(1);
    const test = await runCli(['alerts', 'test', '--json'], {home: dead});
    expect(test.code).toBe(4);
    expect(json(test).deliveries[0]).toMatchObject({ok: false, attempts: 2});
  });

  it('alerts test without receivers is a usage error', async () => {
    const r = await runCli(['alerts', 'test', '--json'], {home: tempHome()});
    expect(r.code).toBe(2);
    expect(json(r).error.name).toBe('UsageError');
  });
});

describe('config schema and validation on the built CLI', () => {
  it('config schema prints a JSON Schema; config get shows effective values and defaults', async () => {
    const home = tempHome();
    const schema = await runCli(['config', 'schema'], {home});
    expect(schema.code).toBe(0);
    const parsed = JSON.parse(schema.stdout);
    expect(parsed.$schema).toMatch(/json-schema\.org/);
    expect(parsed.properties.venues.additionalProperties.properties.sim.properties.dialect.enum).toEqual(['dash', 'lower', 'kraken', 'slash']);
    const got = await runCli(['config', 'get', 'valuationQuote'], {home});
    expect(got.stdout.trim()).toBe('USD (default)');
    expect(json(await runCli(['config', 'get', 'valuationQuote', '--json'], {home}))).toEqual({key: 'valuationQuote', value: 'USD', source: 'default'});
    expect((await runCli(['config', 'get', 'nosuch.key'], {home})).code).toBe(2);
  });

  it('a bad simulated-venue setting is a config error naming the field, not a venue failure', async () => {
    const home = tempHome({venues: {s: {exchange: 'sim', mode: 'paper', sim: {dialect: 42}}, w: {exchange: 'binance', mode: 'paper', withdraw: {enabled: true, allowlist: {BTC: 'bc1q'}}}}});
    const r = await runCli(['prices', 'BTC/USD', '--json'], {home});
    expect(r.code).toBe(2);
    const error = json(r).error;
    expect(error.name).toBe('ConfigError');
    expect(error.message).toContain('venues.s.sim.dialect');
    expect(error.message).toContain('venues.w.withdraw.allowlist.BTC must be a list');
  });

  it('refuses values at the moment they are typed', async () => {
    const home = tempHome({venues: {x: {exchange: 'binance', mode: 'paper'}}});
    for (const args of [
      ['risk', 'set', 'venues.nosuch.maxOpenOrders=3'],
      ['risk', 'set', 'global.maxOrderSize=3'],
      ['exchanges', 'set', 'x', 'exchange=nosuch'],
      ['exchanges', 'add', 'kraken', '--option', '__proto__.x=1'],
      ['exchanges', 'add', 'kraken', '--option', 'urls.api=file:///etc/passwd'],
    ]) {
      const r = await runCli(args, {home});
      expect(r.code, args.join(' ')).toBe(2);
      // oclif may print its own development warnings (lines starting with ›) under the test runner.
      const lines = r.stderr.trim().split('\n').filter((l) => !l.startsWith('›') && !l.startsWith(' '));
      expect(lines[0], args.join(' ')).toMatch(/^error: /);
      expect(lines.filter((l) => l.startsWith('error: ')), args.join(' ')).toHaveLength(1);
      expect(r.stderr, args.join(' ')).not.toMatch(/\n\s+at /);
    }
    expect((await runCli(['risk', 'set', 'venues.x.maxOpenOrders=3'], {home})).code).toBe(0);
  });
});
