import {existsSync, readFileSync} from 'node:fs';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {CLI, json, runCli, tempHome} from '../support/cli.js';

describe('the CLI fits the shell', () => {
  it('-h works on the root and on commands, like --help', async () => {
    const home = tempHome();
    for (const args of [['-h'], ['prices', '-h'], ['risk', 'set', '-h']]) {
      const r = await runCli(args, {home});
      expect(r.code, args.join(' ')).toBe(0);
      expect(r.stdout, args.join(' ')).toMatch(/USAGE/);
    }
  });

  it('help is wrapped to the terminal width, not hard-wrapped in the source', async () => {
    const home = tempHome();
    for (const columns of ['80', '160']) {
      const r = await runCli(['reconcile', '--help'], {home, env: {OCLIF_COLUMNS: columns}});
      expect(r.code).toBe(0);
      // Examples are commands to copy and are never wrapped; everything above them is.
      const lines = r.stdout.split('EXAMPLES')[0]!.split('\n');
      expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(Number(columns));
      if (columns === '160') expect(lines.some((l) => l.length > 120)).toBe(true);
    }
  });

  it('a mistyped command suggests the closest one and never runs it', async () => {
    const home = tempHome();
    const r = await runCli(['balance'], {home});
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('error: unknown command "balance"');
    expect(r.stderr).toMatch(/did you mean "xarb balances"\?/);
    expect(r.stdout).toBe('');
    expect(existsSync(join(home, 'journal.db'))).toBe(false);
    const j = await runCli(['risk', 'hlt', '--json'], {home});
    expect(j.code).toBe(2);
    expect(json(j).error).toMatchObject({name: 'UsageError', exitCode: 2});
    expect(json(j).error.hint).toContain('xarb risk halt');
    // Not run: the kill switch was not touched.
    expect(existsSync(join(home, 'journal.db'))).toBe(false);
  });

  it('generates shell completion scripts', async () => {
    const home = tempHome();
    const env = {XDG_CACHE_HOME: join(home, 'cache')};
    const script = await runCli(['autocomplete', 'script', 'bash'], {home, env});
    expect(script.code).toBe(0);
    expect(script.stdout).toContain(join(home, 'cache', 'xarb', 'autocomplete', 'bash_setup'));
    const setup = await runCli(['autocomplete', 'bash'], {home, env});
    expect(setup.code).toBe(0);
    const functions = readFileSync(join(home, 'cache', 'xarb', 'autocomplete', 'functions', 'bash', 'xarb.bash'), 'utf8');
    for (const id of ['balances', 'reconcile', 'alerts']) expect(functions).toContain(id);
    const zsh = readFileSync(join(home, 'cache', 'xarb', 'autocomplete', 'functions', 'zsh', '_xarb'), 'utf8');
    expect(zsh).toContain('--min-bps');
  });

  it('every command has a summary, a description and examples', () => {
    const manifest = JSON.parse(readFileSync(join(CLI, '..', '..', 'oclif.manifest.json'), 'utf8')) as {commands: Record<string, {summary?: string; description?: string; examples?: string[]; hidden?: boolean}>};
    const ids = Object.keys(manifest.commands);
    expect(ids.length).toBeGreaterThan(25);
    for (const id of ids) {
      const c = manifest.commands[id]!;
      expect(c.summary || c.description, id).toBeTruthy();
      expect(c.description, id).toBeTruthy();
      expect(c.examples?.length ?? 0, id).toBeGreaterThan(0);
    }
  });

  it('tables fit the terminal width; --wide keeps every column', async () => {
    const home = tempHome();
    const env = {COLUMNS: '60', XARB_NO_DEMO_NOTICE: '1'};
    const narrow = await runCli(['exchanges'], {home, env});
    expect(narrow.code).toBe(0);
    const table = narrow.stdout.split('\n').filter((l) => /^[┌│├└]/.test(l));
    expect(Math.max(...table.map((l) => [...l].length))).toBeLessThanOrEqual(60);
    expect(narrow.stdout).toMatch(/hidden to fit the terminal: .*--wide shows all/);
    const all = await runCli(['exchanges', '--wide'], {home, env});
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('api base url');
    expect(all.stdout).not.toMatch(/hidden to fit/);
  });

  it('fan-out commands draw no progress when stderr is not a terminal', async () => {
    const home = tempHome();
    for (const args of [['prices', 'BTC/USD'], ['balances'], ['arb', 'scan']]) {
      const r = await runCli(args, {home, env: {XARB_NO_DEMO_NOTICE: '1'}});
      expect(r.code, args.join(' ')).toBe(0);
      // eslint-disable-next-line no-control-regex
      expect(r.stderr, args.join(' ')).not.toMatch(/\r|\u001b\[2K|venues? asked/);
    }
  });
});
