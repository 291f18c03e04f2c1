import {Help, type Hook} from '@oclif/core';

/** Edit distance between two short strings (Levenshtein). */
export function distance(a: string, b: string): number {
  let row = Array.from({length: b.length + 1}, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}

/** The known commands closest to `typed` (space-separated ids): all at the smallest distance, none when nothing is close. */
export function closestCommands(typed: string, commands: readonly string[]): string[] {
  const limit = Math.max(2, Math.floor(typed.length / 3));
  const scored = commands.map((id) => ({id, d: Math.min(distance(typed, id), id.startsWith(`${typed} `) ? 1 : Infinity)})).filter((c) => c.d <= limit);
  const best = Math.min(...scored.map((c) => c.d));
  return scored
    .filter((c) => c.d === best)
    .map((c) => c.id)
    .sort()
    .slice(0, 3);
}

/**
 * `xarb help [COMMAND...]` shows help; any other unknown command is a usage
 * error (exit 2), as JSON on stdout too under --json. The closest commands
 * are suggested, never run.
 */
const hook: Hook.CommandNotFound = async function (options) {
  const argv = options.argv ?? [];
  const words = options.id.split(':');
  if (words[0] === 'help') {
    await new Help(options.config).showHelp([...words.slice(1), ...argv.filter((a) => !a.startsWith('-'))]);
    process.exit(0);
  }
  const typed = words.join(' ');
  const visible = options.config.commands.filter((c) => !c.hidden).map((c) => c.id.replaceAll(':', ' '));
  const near = closestCommands(typed, visible);
  const shown = typed.length > 60 ? `${typed.slice(0, 57)}...` : typed;
  const message = `unknown command ${JSON.stringify(shown)}`;
  const topics = [...new Set(visible.map((id) => id.split(' ')[0]))].sort();
  const hint = near.length > 0 ? `did you mean ${near.map((id) => `"xarb ${id}"`).join(' or ')}? see xarb --help` : `commands: ${topics.join(', ')}; see xarb --help`;
  if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({error: {name: 'UsageError', message, hint, exitCode: 2}}, null, 2)}\n`);
  process.stderr.write(`error: ${message}\nhint: ${hint}\n`);
  process.exit(2);
};

export default hook;
