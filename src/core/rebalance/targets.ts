/**
 * Target allocations: parsing `binance=40,kraken=30,okx=30` and checking
 * that a target set is usable. Invariant: a returned target set has finite
 * percents in [0, 100] that add up to 100 (within 0.01); anything else is a
 * UsageError (exit 2) that names the problem.
 */
import {UsageError} from '../errors.js';
import {canonicalAsset} from '../symbols/index.js';

export type Targets = Readonly<Record<string, number>>;

const SUM_TOLERANCE = 0.01;

/** Parses `key=percent,...`. Venue keys are kept as typed (lowercased); asset keys are canonical codes. */
export function parseTargets(text: string, kind: 'venue' | 'asset'): Targets {
  const out: Record<string, number> = {};
  const flag = kind === 'venue' ? '--target' : '--asset-targets';
  const example = kind === 'venue' ? 'binance=40,kraken=30,okx=30' : 'BTC=50,USD=50';
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw new UsageError(`${flag} is empty`, `write it like ${example}`);
  for (const part of parts) {
    const match = /^([A-Za-z0-9_-]+)\s*[=:]\s*([0-9]+(?:\.[0-9]+)?)%?$/.exec(part);
    if (!match) throw new UsageError(`${flag}: cannot read ${JSON.stringify(part)}`, `write it like ${example}`);
    const key = kind === 'venue' ? match[1]!.toLowerCase() : canonicalAsset(match[1]!);
    if (key in out) throw new UsageError(`${flag}: ${key} is given twice`, `write it like ${example}`);
    out[key] = Number(match[2]);
  }
  return checkTargets(out, kind);
}

/** Checks a target set (from flags or config); returns it unchanged. */
export function checkTargets(targets: Targets, kind: 'venue' | 'asset'): Targets {
  const label = kind === 'venue' ? 'venue targets' : 'asset targets';
  const entries = Object.entries(targets);
  if (entries.length === 0) throw new UsageError(`no ${label} given`, kind === 'venue' ? 'pass --target binance=40,kraken=30,okx=30 or set venues.<name>.allocation in config' : 'pass --asset-targets BTC=50,USD=50');
  for (const [key, pct] of entries) {
    if (typeof pct !== 'number' || !Number.isFinite(pct) || pct < 0 || pct > 100) {
      throw new UsageError(`${label}: ${key}=${String(pct)} is not a percent from 0 to 100`);
    }
  }
  const total = entries.reduce((s, [, pct]) => s + pct, 0);
  if (Math.abs(total - 100) > SUM_TOLERANCE) {
    throw new UsageError(`${label} add up to ${round(total)}%, not 100%`, `adjust them so they add up to 100 (${entries.map(([k, p]) => `${k}=${p}`).join(',')})`);
  }
  return targets;
}

/** Venue targets from config: every venue with `allocation` set. */
export function targetsFromConfig(venues: Readonly<Record<string, {readonly allocation?: number}>>): Targets | undefined {
  const out: Record<string, number> = {};
  for (const [name, venue] of Object.entries(venues)) if (venue.allocation !== undefined) out[name] = venue.allocation;
  return Object.keys(out).length === 0 ? undefined : out;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
