/**
 * Small helpers shared by the benchmarks: run a command N times and report
 * the median wall time. Benchmarks print figures; they assert nothing.
 */
import {execFileSync, spawn, spawnSync} from 'node:child_process';
import {existsSync, mkdirSync, readFileSync, rmSync, symlinkSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI = `${ROOT}bin/run.js`;

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Times a process `runs` times (after one warm-up) and returns the median in ms. */
export function timeProcess(command: string, args: readonly string[], env: NodeJS.ProcessEnv, runs = 9): {median: number; min: number; max: number; status: number | null} {
  spawnSync(command, args, {env, stdio: 'ignore'});
  const times: number[] = [];
  let status: number | null = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const r = spawnSync(command, args, {env, stdio: 'ignore'});
    times.push(performance.now() - t0);
    status = r.status;
  }
  return {median: median(times), min: Math.min(...times), max: Math.max(...times), status};
}

/**
 * Like timeProcess, but never blocks this process's event loop, so servers
 * running in the benchmark process (loopback venues) keep answering.
 */
export async function timeProcessAsync(command: string, args: readonly string[], env: NodeJS.ProcessEnv, runs = 9, warmup = true): Promise<{median: number; min: number; max: number; status: number | null}> {
  const once = () =>
    new Promise<{ms: number; status: number | null}>((resolve) => {
      const t0 = performance.now();
      const child = spawn(command, args, {env, stdio: 'ignore'});
      child.on('exit', (status) => resolve({ms: performance.now() - t0, status}));
    });
  if (warmup) await once();
  const times: number[] = [];
  let status: number | null = 0;
  for (let i = 0; i < runs; i++) {
    const r = await once();
    times.push(r.ms);
    status = r.status;
  }
  return {median: median(times), min: Math.min(...times), max: Math.max(...times), status};
}

/** Times an async function and returns the median in ms. */
export async function timeAsync(fn: () => unknown, runs = 9): Promise<number> {
  await fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

export function timeSync(fn: () => unknown, runs = 21): number {
  fn();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    fn();
    times.push(performance.now() - t0);
  }
  return median(times);
}

export function row(label: string, value: string, target?: string): void {
  process.stdout.write(`${label.padEnd(58)} ${value.padStart(12)}${target ? `   target ${target}` : ''}\n`);
}

/** bin/run.js of `ref` built in a temp folder (kept per commit, so a second bench run reuses it). */
export function buildBase(ref: string): {cli: string; label: string} {
  const sha = execFileSync('git', ['rev-parse', '--short', ref], {cwd: ROOT, encoding: 'utf8'}).trim();
  const dir = join(tmpdir(), `xarb-bench-base-${sha}`);
  const cli = join(dir, 'bin', 'run.js');
  if (!existsSync(join(dir, 'oclif.manifest.json'))) {
    rmSync(dir, {recursive: true, force: true});
    mkdirSync(dir, {recursive: true});
    const archive = spawnSync('git', ['archive', sha], {cwd: ROOT, maxBuffer: 1 << 30});
    if (archive.status !== 0) throw new Error(`git archive ${sha} failed`);
    execFileSync('tar', ['-x', '-C', dir], {input: archive.stdout});
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    execFileSync('npm', ['run', 'build'], {cwd: dir, stdio: 'ignore'});
  }
  return {cli, label: `${ref} (${sha})`};
}


/** The sources of `ref` unpacked in a temp folder (sharing this node_modules), to run with tsx beside the working tree. */
export function baseSources(ref: string): {root: string; label: string} {
  const sha = execFileSync('git', ['rev-parse', '--short', ref], {cwd: ROOT, encoding: 'utf8'}).trim();
  const root = join(tmpdir(), `xarb-bench-src-${sha}`);
  if (!existsSync(join(root, 'package.json'))) {
    rmSync(root, {recursive: true, force: true});
    mkdirSync(root, {recursive: true});
    const archive = spawnSync('git', ['archive', sha, 'src', 'bench', 'package.json', 'tsconfig.json'], {cwd: ROOT, maxBuffer: 1 << 30});
    if (archive.status !== 0) throw new Error(`git archive ${sha} failed`);
    execFileSync('tar', ['-x', '-C', root], {input: archive.stdout});
    symlinkSync(join(ROOT, 'node_modules'), join(root, 'node_modules'));
  }
  return {root: `${root}/`, label: `${ref} (${sha})`};
}

/** CPU time (user + system, ms, every thread) a live process has used so far, from /proc; undefined elsewhere. */
export function processCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return undefined;
  }
}
const CLOCK_TICKS = 100;
