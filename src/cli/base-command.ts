/**
 * The base of every xarb command: the --json flag (the value run() returns is
 * the JSON contract, printed on stdout), --no-color, the lazily opened
 * Context (config, journal, venues), the live-money confirmation, and the
 * two places an exit code is set: a result that carries `exitCode` (core
 * decides it, e.g. reconcile's 5) and the single catch() that maps typed
 * errors to the exit-code table. No stack trace is printed unless
 * XARB_DEBUG=1.
 */
import {Command, Flags, type Interfaces} from '@oclif/core';
import type {ChalkInstance} from 'chalk';
import {redact} from '../core/config/secrets.js';
import {xarbHome} from '../core/config/store.js';
import {Context} from '../core/context.js';
import {ExitCode, UsageError, XarbError} from '../core/errors.js';
import type {SyncReport} from '../core/reconcile/sync.js';
import type {Venue} from '../core/venues/port.js';
import {colorEnabled, makeChalk} from '../ui/color.js';
import {withIsoTimes} from '../ui/json.js';
import {noProgress, venueProgressLine, type ProgressLine} from '../ui/progress.js';
import {setWideTables} from '../ui/table.js';

export type BaseFlags<T extends typeof Command> = Interfaces.InferredFlags<(typeof XarbCommand)['baseFlags'] & T['flags']>;

export interface ErrorJson {
  readonly error: {readonly name: string; readonly message: string; readonly hint?: string; readonly exitCode: number};
}

let demoNoticeShown = false;

export abstract class XarbCommand<T> extends Command {
  static override enableJsonFlag = true;

  /** Commands that only edit settings do not need the demo-profile notice. */
  static demoNotice = true;

  static override baseFlags = {
    'no-color': Flags.boolean({description: 'plain output without colours (also NO_COLOR=1 or when piped)', helpGroup: 'GLOBAL'}),
    wide: Flags.boolean({description: 'keep every table column, whatever the terminal width', helpGroup: 'GLOBAL'}),
  };

  /** Set by commands that already streamed their JSON (JSON Lines under --watch). */
  protected streamedJson = false;
  private ctx: Context | undefined;
  private progressLine: ProgressLine = noProgress;
  private colorOn: boolean | undefined;
  private chalkInstance: ChalkInstance | undefined;

  abstract override run(): Promise<T>;

  /** Runs the command; a result carrying `exitCode` (decided in core) sets the process's exit code. */
  protected override async _run<R>(): Promise<R> {
    const result = await super._run<R>();
    const code = (result as {exitCode?: unknown} | undefined)?.exitCode;
    if (typeof code === 'number' && Number.isInteger(code) && !process.exitCode) process.exitCode = code;
    return result;
  }

  /**
   * The one confirmation before real money moves on live venues: nothing to
   * ask when no venue is live or --yes was given; without a terminal --yes is
   * required; on a terminal the preview goes to stderr and the question
   * defaults to no. Declining throws, so nothing is sent.
   */
  protected async confirmLive(live: readonly string[], options: {yes: boolean; what: string; preview?: string; question: string}): Promise<void> {
    if (live.length === 0 || options.yes) return;
    this.stopProgress();
    if (!this.interactive) throw new UsageError(`${options.what} on live venues (${live.join(', ')}) and spends real money`, 'pass --yes to confirm when there is no terminal');
    if (options.preview) process.stderr.write(`${options.preview}\n`);
    if (!(await confirm(options.question))) throw new UsageError('not confirmed; nothing was sent', 'answer y to send, or pass --yes');
  }

  override async init(): Promise<void> {
    await super.init();
    setWideTables(this.argv.includes('--wide'));
  }

  /** Config, journal and venues for this run; prints the demo notice once. */
  protected async context(): Promise<Context> {
    if (!this.ctx) {
      this.ctx = await Context.open({version: this.config.version});
      if (this.ctx.isDemo && (this.constructor as typeof XarbCommand).demoNotice && !demoNoticeShown && process.env.XARB_NO_DEMO_NOTICE !== '1') {
        demoNoticeShown = true;
        process.stderr.write(`xarb: no venues configured; using the built-in demo profile of SIMULATED venues (${this.ctx.venueNames().join(', ')}). Add a real exchange with: xarb exchanges add binance\n`);
      }
    }
    return this.ctx;
  }

  /**
   * Shows venues asked/answered/failed on stderr while fan-out work runs, on a
   * terminal only (never when piped, under cron or with --json). Stopped by
   * stopProgress() or when the command ends.
   */
  protected async withProgress(label: string): Promise<Context> {
    const ctx = await this.context();
    if (this.jsonEnabled()) return ctx;
    this.progressLine.stop();
    this.progressLine = venueProgressLine(label);
    // Venues opened now keep this callback: it always goes to the current line (none once stopped).
    ctx.reportProgress((venue, phase) => this.progressLine.update(venue, phase));
    return ctx;
  }

  protected stopProgress(): void {
    this.progressLine.stop();
    this.progressLine = noProgress;
    this.ctx?.reportProgress(undefined);
  }

  /** $XARB_HOME, for commands that edit settings without opening venues (they work on a broken config too). */
  protected get home(): string {
    return xarbHome();
  }

  protected get color(): boolean {
    if (this.colorOn === undefined) this.colorOn = colorEnabled({noColorFlag: this.argv.includes('--no-color')});
    return this.colorOn;
  }

  protected get chalk(): ChalkInstance {
    this.chalkInstance ??= makeChalk(this.color);
    return this.chalkInstance;
  }

  /** Writes human output (suppressed under --json). */
  protected out(text: string): void {
    if (!this.jsonEnabled()) process.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  }

  /** Writes a diagnostic to stderr (always, also under --json). */
  protected note(text: string): void {
    process.stderr.write(`${redact(text)}\n`);
  }

  /**
   * For long runs (--watch, collect): a signal that Ctrl-C or SIGTERM fires,
   * so the run stops cleanly; `release()` stops listening once it is over.
   */
  protected interruptSignal(): {readonly signal: AbortSignal; readonly release: () => void} {
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const release = () => {
      process.removeListener('SIGINT', stop);
      process.removeListener('SIGTERM', stop);
    };
    return {signal: controller.signal, release};
  }

  /**
   * The one place commands that read or change account state on venues call
   * first: brings the journal in line with those venues' live orders and
   * their fills (core/reconcile/sync.ts). A venue that cannot be read is a
   * warning on stderr; the command goes on with the journal as it is.
   */
  protected async syncVenues(venues: readonly Venue[]): Promise<SyncReport> {
    const ctx = await this.context();
    // Loaded here, not at start-up: only commands that act on venues reconcile first.
    const {syncVenues} = await import('../core/reconcile/sync.js');
    const report = await syncVenues(venues, {db: ctx.db, clock: ctx.clock, requestTimeoutMs: (name) => ctx.venueConfig(name).timeoutMs});
    for (const v of report.venues) {
      if (v.status === 'failed') this.note(`warning: could not bring the journal up to date with ${v.venue}: ${v.error}`);
    }
    return report;
  }

  /**
   * A dry run that the real run would refuse says so on stderr ("would be
   * denied: ..."); its result carries the real run's exit code.
   */
  protected wouldBeDenied(error: XarbError): void {
    const hint = error.hint ? `\nhint: ${error.hint}` : '';
    this.note(`would be denied: ${error.message}${hint}\nnothing was sent (dry run)`);
  }

  /** Whether stdin and stdout are a terminal a person could answer on. */
  protected get interactive(): boolean {
    return Boolean(process.stdin.isTTY && process.stdout.isTTY);
  }

  override logJson(json: unknown): void {
    if (this.streamedJson) return;
    process.stdout.write(`${JSON.stringify(withIsoTimes(json), null, 2)}\n`);
  }

  override async catch(error: Error & {oclif?: {exit?: number}; code?: string}): Promise<void> {
    this.stopProgress();
    const {code, json} = describeError(error);
    process.exitCode = code;
    if (this.jsonEnabled()) this.logJson(json);
    const hint = json.error.hint ? `\nhint: ${escapeControl(json.error.hint)}` : '';
    process.stderr.write(`${this.color ? makeChalk(true).red('error') : 'error'}: ${json.error.message}${hint}\n`);
    if (process.env.XARB_DEBUG === '1' && error.stack) process.stderr.write(`${redact(error.stack)}\n`);
  }

  override async finally(error: Error | undefined): Promise<void> {
    this.stopProgress();
    await this.ctx?.close();
    this.ctx = undefined;
    await super.finally(error);
  }
}

const DEFAULT_HINTS: Record<number, string> = {
  [ExitCode.usage]: "see the command's --help for what it accepts",
  [ExitCode.riskDenied]: 'see `xarb risk show`',
  [ExitCode.venueFailed]: 'check the venue with `xarb exchanges`',
  [ExitCode.discrepancies]: 'see `xarb reconcile history`',
  [ExitCode.locked]: 'wait for the other run to finish',
  [ExitCode.unexpected]: 'run again with XARB_DEBUG=1 for details',
};

/** Maps any thrown value to an exit code and the JSON error shape. */
export function describeError(error: Error & {oclif?: {exit?: number}; code?: string}): {code: number; json: ErrorJson} {
  if (error instanceof XarbError) {
    return {code: error.exitCode, json: {error: {name: error.name, message: redact(firstLine(error.message)), hint: error.hint ?? DEFAULT_HINTS[error.exitCode], exitCode: error.exitCode}}};
  }
  // oclif's own parse errors (unknown flag, missing argument, bad option) are usage errors.
  const oclifExit = error.oclif?.exit;
  if (oclifExit !== undefined || /^(NonExistentFlags|RequiredArgs|FailedFlagValidation|ArgInvalidOption|FlagInvalidOption|UnexpectedArgs|CLIError)/.test(error.constructor?.name ?? '')) {
    if (oclifExit === 0) return {code: 0, json: {error: {name: 'Exit', message: '', exitCode: 0}}};
    const message = redact(firstLine(error.message));
    return {code: ExitCode.usage, json: {error: {name: 'UsageError', message, hint: 'see --help', exitCode: ExitCode.usage}}};
  }
  const message = redact(firstLine(error.message || String(error)));
  return {
    code: ExitCode.unexpected,
    json: {error: {name: error.name || 'Error', message, hint: 'unexpected error; run again with XARB_DEBUG=1 for details', exitCode: ExitCode.unexpected}},
  };
}

/** Longest error line printed; what a user typed may be thousands of characters. */
const MAX_ERROR_CHARS = 300;

function firstLine(text: string): string {
  // oclif prefixes parse errors with decorations and "See more help"; keep the substance.
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l && !/^See more help/i.test(l));
  const line = escapeControl(lines.join(' ').replace(/[ \t\r]+/g, ' ').replace(/^Parsing (--[\w-]+) /, '$1: ').replace(/^(--[\w-]+): \1\b/, '$1'));
  return line.length > MAX_ERROR_CHARS ? `${line.slice(0, MAX_ERROR_CHARS - 1)}…` : line;
}

/** Control characters (ESC, BEL, C1 ...) shown as \\uXXXX so an error line cannot move the cursor or recolour the terminal. */
export function escapeControl(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * Asks a yes/no question on the terminal (stderr), default no. Ctrl-C and end
 * of input count as no: the caller refuses with "not confirmed" (exit 2)
 * instead of dying with an unexpected error.
 */
export async function confirm(question: string, io: {input?: NodeJS.ReadableStream; output?: NodeJS.WritableStream; terminal?: boolean} = {}): Promise<boolean> {
  // Loaded here: only a confirmation on a terminal needs readline.
  const {createInterface} = await import('node:readline/promises');
  const rl = createInterface({input: io.input ?? process.stdin, output: io.output ?? process.stderr, ...(io.terminal === undefined ? {} : {terminal: io.terminal})});
  const controller = new AbortController();
  const refuse = () => controller.abort();
  rl.once('SIGINT', refuse);
  rl.once('close', refuse);
  try {
    const answer = await rl.question(`${question} [y/N] `, {signal: controller.signal});
    return /^y(es)?$/i.test(answer.trim());
  } catch (error) {
    if (controller.signal.aborted) return false;
    throw error;
  } finally {
    rl.removeListener('close', refuse);
    rl.close();
  }
}
