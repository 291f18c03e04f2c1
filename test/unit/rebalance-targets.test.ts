import {describe, expect, it} from 'vitest';
import {ExitCode, UsageError} from '../../src/core/errors.js';
import {computeFlows} from '../../src/core/rebalance/flows.js';
import {checkTargets, parseTargets, targetsFromConfig} from '../../src/core/rebalance/targets.js';

describe('parseTargets', () => {
  it('reads venue and asset targets', () => {
    expect(parseTargets('binance=40,kraken=30,okx=30', 'venue')).toEqual({binance: 40, kraken: 30, okx: 30});
    expect(parseTargets(' Binance=50 , okx=50% ', 'venue')).toEqual({binance: 50, okx: 50});
    expect(parseTargets('xbt=50,usd=25.5,ETH=24.5', 'asset')).toEqual({BTC: 50, USD: 25.5, ETH: 24.5});
  });

  it.each([
    ['binance=40,kraken=30', 'add up to 70'],
    ['binance=40,kraken=30,okx=31', 'add up to 101'],
    ['binance=40,binance=60', 'twice'],
    ['binance', 'cannot read'],
    ['binance=-5,okx=105', 'cannot read'],
    ['binance=150', 'not a percent'],
    ['', 'empty'],
  ])('rejects %j with a usage error (exit 2)', (text, _why) => {
    let caught: unknown;
    try {
      parseTargets(text, 'venue');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(UsageError);
    expect((caught as UsageError).exitCode).toBe(ExitCode.usage);
  });

  it('checks config targets the same way and takes venue allocations from config', () => {
    expect(() => checkTargets({a: 50, b: 49}, 'venue')).toThrow(UsageError);
    expect(checkTargets({a: 33.33, b: 33.33, c: 33.34}, 'venue')).toEqual({a: 33.33, b: 33.33, c: 33.34});
    expect(targetsFromConfig({a: {allocation: 60}, b: {allocation: 40}, c: {}})).toEqual({a: 60, b: 40});
    expect(targetsFromConfig({c: {}})).toBeUndefined();
  });
});

describe('computeFlows', () => {
  const items = (...pairs: [string, number, number][]) => pairs.map(([key, value, target]) => ({key, value, target}));

  it('moves nothing when every item is within the threshold', () => {
    expect(computeFlows(items(['a', 540, 500], ['b', 460, 500]), 1000, 5)).toEqual({senders: [], receivers: []});
    // exactly at the threshold counts as within
    expect(computeFlows(items(['a', 550, 500], ['b', 450, 500]), 1000, 5)).toEqual({senders: [], receivers: []});
  });

  it('brings out items to target and lets within items absorb the net, largest deviation first', () => {
    // a +15pp out, b -3pp within, c -4pp within, d -8pp out: a sends 150, d takes 80, c 40, b 30.
    const flows = computeFlows(items(['a', 400, 250], ['b', 220, 250], ['c', 210, 250], ['d', 170, 250]), 1000, 5);
    expect(flows.senders).toEqual([{key: 'a', amount: 150}]);
    expect(flows.receivers).toEqual([
      {key: 'd', amount: 80},
      {key: 'c', amount: 40},
      {key: 'b', amount: 30},
    ]);
  });

  it('takes extra from within items above target when receivers need more than out senders give', () => {
    const flows = computeFlows(items(['a', 280, 250], ['b', 270, 250], ['c', 300, 250], ['d', 150, 250]), 1000, 5);
    expect(flows.receivers).toEqual([{key: 'd', amount: 100}]);
    expect(flows.senders).toEqual([
      {key: 'c', amount: 50},
      {key: 'a', amount: 30},
      {key: 'b', amount: 20},
    ]);
  });

  it('moves nothing for an empty portfolio', () => {
    expect(computeFlows(items(['a', 0, 0]), 0, 5)).toEqual({senders: [], receivers: []});
  });
});
