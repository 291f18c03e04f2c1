/**
 * Runs the built CLI (bin/run.js over dist/) as a user would, in a temp
 * XARB_HOME, asynchronously so loopback servers in the test process keep
 * answering. `npm test` builds before running the suites.
 */
import {execFile} from 'node:child_process';
import {mkdtempSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {homeJournalEnv} from './postgres.js';

export const CLI = fileURLToPath(new URL('../../bin/run.js', import.meta.url));

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function tempHome(config?: unknown): string {
  const home = mkdtempSync(join(tmpdir(), 'xarb-e2e-'));
  if (config !== undefined) writeFileSync(join(home, 'config.json'), JSON.stringify(config, null, 2));
  return home;
}

export function runCli(args: readonly string[], options: {home: string; env?: NodeJS.ProcessEnv; input?: string; timeoutMs?: number}): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = {...process.env, XARB_HOME: options.home, ...homeJournalEnv(options.home), ...options.env};
  // Tests see plain output unless they ask for colour.
  if (!options.env?.FORCE_COLOR) delete env.FORCE_COLOR;
  delete env.XARB_DEBUG;
  return new Promise((resolve) => {
    const child = execFile(process.execPath, [CLI, ...args], {env, timeout: options.timeoutMs ?? 60_000, maxBuffer: 32 * 1024 * 1024}, (error, stdout, stderr) => {
      const code = error ? (typeof (error as NodeJS.ErrnoException & {code?: unknown}).code === 'number' ? ((error as unknown as {code: number}).code) : 1) : 0;
      resolve({code, stdout: String(stdout), stderr: String(stderr)});
    });
    if (options.input !== undefined) child.stdin?.end(options.input);
    else child.stdin?.end();
  });
}

/** The JSON document a --json run printed on stdout. */
export function json<T = any>(result: CliResult): T {
  try {
    return JSON.parse(result.stdout) as T;
  } catch {
    throw new Error(`stdout is not JSON (exit ${result.code}):\n${result.stdout}\nstderr:\n${result.stderr}`);
  }
}

// eslint-disable-next-line no-control-regex
export const ANSI = /\u001b\[[0-9;]*m/;
