import {Help, type Hook} from '@oclif/core';

/**
 * `xarb help [COMMAND...]` shows help; any other unknown command is a usage
 * error (exit 2), as JSON on stdout too under --json.
 */
const hook: Hook.CommandNotFound = async function (options) {
  const argv = options.argv ?? [];
  const words = options.id.split(':');
  if (words[0] === 'help') {
    await new Help(options.config).showHelp([...words.slice(1), ...argv.filter((a) => !a.startsWith('-'))]);
    process.exit(0);
  }
  const known = [...new Set(options.config.commandIDs.map((id) => id.split(':')[0]))].sort();
  const message = `unknown command ${JSON.stringify(options.id.replaceAll(':', ' '))}`;
  const hint = `commands: ${known.join(', ')}; see xarb --help`;
  if (argv.includes('--json')) process.stdout.write(`${JSON.stringify({error: {name: 'UsageError', message, hint, exitCode: 2}}, null, 2)}\n`);
  process.stderr.write(`error: ${message}\nhint: ${hint}\n`);
  process.exit(2);
};

export default hook;
