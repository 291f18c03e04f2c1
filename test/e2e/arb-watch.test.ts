import {spawn} from 'node:child_process';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {CLI, json, runCli, tempHome} from '../support/cli.js';
import {defaultScenario, startLoopback, type LoopbackHandle} from '../support/loopback/index.js';
import {ladder} from '../support/loopback/scenario.js';

/** Runs `xarb arb scan --watch --json`, hands each JSON line to onDoc, and sends SIGINT once `until` says so. */
function watch(args: string[], home: string, until: (doc: any, index: number) => boolean): Promise<{docs: any[]; code: number | null; stderr: string}> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {env: {...process.env, XARB_HOME: home}, stdio: ['ignore', 'pipe', 'pipe']});
    const docs: any[] = [];
    let buffer = '';
    let stderr = '';
    let stopping = false;
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (chunk) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, nl);
        buffer = buffer.slice(nl + 1);
        if (!line.trim()) continue;
        docs.push(JSON.parse(line));
        if (!stopping && until(docs.at(-1), docs.length - 1)) {
          stopping = true;
          child.kill('SIGINT');
        }
      }
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`watch produced ${docs.length} lines; stderr: ${stderr}`));
    }, 50_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({docs, code, stderr});
    });
  });
}

describe('xarb arb scan --watch', () => {
  let loop: LoopbackHandle;
  beforeAll(async () => {
    const base = defaultScenario();
    loop = await startLoopback({
      scenario: {venues: {binance: base.venues.binance!, okx: {...base.venues.okx!, books: {...base.venues.okx!.books, 'BTC/USDT': ladder(59_800, 0.5, 0.6)}}}},
    });
  });
  afterAll(async () => loop?.close());

  it('prints an opportunity when it appears and when it vanishes, with its lifetime, and journals the episode', async () => {
    const home = tempHome({
      venues: {
        binance: {exchange: 'binance', mode: 'paper', apiBaseUrl: loop.baseUrl('binance'), wsBaseUrl: loop.wsUrl('binance')},
        okx: {exchange: 'okx', mode: 'paper', apiBaseUrl: loop.baseUrl('okx')},
      },
    });
    const key = 'cross:BTC/USDT:okx>binance';
    let closedAt = -1;
    const {docs, code, stderr} = await watch(['arb', 'scan', 'BTC/USDT', '--watch', '--interval', '300ms', '--json'], home, (doc, i) => {
      // After two sightings the dislocation goes away: the next scan must report it gone.
      if (closedAt < 0 && doc.active.some((a: any) => a.key === key && a.lifetimeMs > 0)) {
        closedAt = i;
        loop.state('okx').setBook('BTC/USDT', ladder(59_995, 0.5, 0.6));
      }
      return doc.vanished.length > 0;
    });
    expect(code, stderr).toBe(0);
    expect(docs[0].appeared.map((a: any) => a.key)).toEqual([key]);
    expect(docs[0].appeared[0].opportunity.buy.venue).toBe('okx');
    const gone = docs.at(-1);
    expect(gone.vanished[0].key).toBe(key);
    expect(gone.vanished[0].lifetimeMs).toBeGreaterThan(0);
    expect(gone.active).toEqual([]);

    // binance depth came from its websocket stream (one REST snapshot to start it), not from polling depth each scan
    const depth = loop.requests('binance').filter((r) => r.path.endsWith('/depth'));
    expect(depth.map((r) => r.query.limit)).toEqual(['1000']);
    const history = json(await runCli(['arb', 'history', '--json'], {home}));
    const row = history.opportunities.find((r: any) => r.key === key);
    expect(row.episodes).toBe(1);
    expect(row.sightings).toBeGreaterThanOrEqual(2);
    expect(row.totalLifetimeMs).toBe(gone.vanished[0].lifetimeMs);
  });
});
