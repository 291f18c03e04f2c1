import type {Hook} from '@oclif/core';

/** An unknown command is a usage error (exit 2), with the closest topic list as a hint. */
const hook: Hook.CommandNotFound = async function (options) {
  const known = [...new Set(options.config.commandIDs.map((id) => id.split(':')[0]))].sort();
  process.stderr.write(`error: unknown command ${JSON.stringify(options.id.replaceAll(':', ' '))}\nhint: commands: ${known.join(', ')}; see xarb --help\n`);
  process.exit(2);
};

export default hook;
