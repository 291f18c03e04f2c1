/**
 * Colour decisions in one place: colour is on only when stdout is a TTY and
 * neither NO_COLOR (any value) nor --no-color is set. FORCE_COLOR=1 forces it
 * on (used by tests that check the colour path).
 */
import {Chalk, type ChalkInstance} from 'chalk';

export interface ColorOptions {
  readonly noColorFlag?: boolean;
  readonly isTTY?: boolean;
  readonly env?: NodeJS.ProcessEnv;
}

export function colorEnabled(options: ColorOptions = {}): boolean {
  const env = options.env ?? process.env;
  if (options.noColorFlag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== '') return true;
  return options.isTTY ?? Boolean(process.stdout.isTTY);
}

export function makeChalk(enabled: boolean): ChalkInstance {
  return new Chalk({level: enabled ? 1 : 0});
}

/** Removes ANSI escape codes (for width computations and assertions). */
export function stripAnsi(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\u001b\[[0-9;]*m/g, '');
}
