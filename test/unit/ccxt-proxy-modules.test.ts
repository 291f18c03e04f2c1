/**
 * ccxt's optional proxy-agent modules are looked for once per process
 * (src/core/venues/ccxt/proxy-modules.ts): every exchange object ends with
 * what ccxt's own loadProxyModules would have left on it.
 */
import {beforeEach, describe, expect, it, vi} from 'vitest';
import {loadExchangeClass} from '../../src/core/venues/ccxt/load.js';

const FIELDS = ['httpProxyAgentModule', 'httpsProxyAgentModule', 'socksProxyAgentModule', 'socksProxyAgentModuleChecked'];
type Bag = Record<string, unknown> & {loadProxyModules: () => Promise<unknown>};

// A fresh module per test: the outcome is kept for the process.
const fresh = async () => (await import('../../src/core/venues/ccxt/proxy-modules.js')).shareProxyModules;
beforeEach(() => {
  vi.resetModules();
});

describe('shareProxyModules', () => {
  it('gives every ccxt object the fields ccxt itself leaves', async () => {
    const shareProxyModules = await fresh();
    const [Kraken, Binance, Okx] = await Promise.all(['kraken', 'binance', 'okx'].map((id) => loadExchangeClass(id)));
    const plain = new Kraken!() as unknown as Bag;
    await plain.loadProxyModules();
    const shared = [new Binance!() as unknown as Bag, new Okx!() as unknown as Bag, new Kraken!() as unknown as Bag];
    for (const ex of shared) shareProxyModules(ex);
    await Promise.all(shared.map((ex) => ex.loadProxyModules()));
    for (const ex of shared) {
      for (const k of FIELDS) expect(ex[k], k).toBe(plain[k]);
      expect(ex.socksProxyAgentModuleChecked).toBe(true);
    }
  });

  it('runs the first object\'s loader once for the process, also when objects ask in parallel', async () => {
    const shareProxyModules = await fresh();
    const module = {HttpProxyAgent: class {}};
    let runs = 0;
    const fake = (): Bag => ({
      socksProxyAgentModuleChecked: false,
      loadProxyModules(this: Bag) {
        runs++;
        this.proxiesModulesLoading ??= Promise.resolve().then(() => {
          Object.assign(this, {httpProxyAgentModule: module, httpsProxyAgentModule: module, socksProxyAgentModuleChecked: true});
        });
        return this.proxiesModulesLoading as Promise<unknown>;
      },
    });
    const objects = [fake(), fake(), fake()];
    for (const ex of objects) shareProxyModules(ex);
    await Promise.all([...objects, objects[0]!].map((ex) => ex.loadProxyModules()));
    expect(runs).toBe(1);
    for (const ex of objects) {
      expect(ex.httpProxyAgentModule).toBe(module);
      expect(ex.httpsProxyAgentModule).toBe(module);
      expect(ex.socksProxyAgentModule).toBeUndefined();
      expect(ex.socksProxyAgentModuleChecked).toBe(true);
    }
  });

  it('lets a later object try again after a failed look', async () => {
    const shareProxyModules = await fresh();
    let runs = 0;
    const fake = (fail: boolean): Bag => ({
      loadProxyModules() {
        runs++;
        return fail ? Promise.reject(new Error('no')) : Promise.resolve();
      },
    });
    const first = fake(true);
    shareProxyModules(first);
    await expect(first.loadProxyModules()).rejects.toThrow('no');
    const second = fake(false);
    shareProxyModules(second);
    await second.loadProxyModules();
    expect(runs).toBe(2);
  });
});
