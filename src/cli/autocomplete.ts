/**
 * Shell completion comes from @oclif/plugin-autocomplete, loaded only when an
 * `autocomplete` command runs: registered as a plugin it would be loaded on
 * every start. The plugin exports no command paths, so its command files are
 * found next to its entry point.
 */
import type {Config} from '@oclif/core';

export async function runAutocomplete(command: 'index' | 'script', argv: readonly string[], config: Config): Promise<void> {
  const entry = import.meta.resolve('@oclif/plugin-autocomplete');
  const module = (await import(new URL(`./commands/autocomplete/${command}.js`, entry).href)) as {default: {run(argv: string[], config: Config): Promise<unknown>}};
  await module.default.run([...argv], config);
}
