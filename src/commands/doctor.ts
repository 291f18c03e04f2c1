import {Flags} from '@oclif/core';
import {Context} from '../core/context.js';
import {runDoctor, type CheckStatus, type DoctorReport} from '../core/doctor/index.js';
import {createVenue} from '../core/venues/factory.js';
import {XarbCommand} from '../cli/base-command.js';
import {venuesFlag} from '../cli/flags.js';

export type DoctorResult = DoctorReport;

export default class Doctor extends XarbCommand<DoctorResult> {
  static override demoNotice = false;
  static override summary = 'Check this installation: native module, config, file modes, journal, locks, keys, clock skew';
  static override description = `One line per check: ok, warn or fail. Exits 0 only when every check is ok, and 1 when any check warns or fails (so cron or a monitoring probe notices). Doctor only reads: it never creates or repairs the journal, takes no lock, and asks venues only for their public time. Keys are reported as present or not, never shown.`;
  static override examples = ['<%= config.bin %> doctor', '<%= config.bin %> doctor --json', '<%= config.bin %> doctor --offline'];
  static override flags = {
    venues: venuesFlag({description: 'venues whose clock skew to measure (default: all configured)'}),
    offline: Flags.boolean({description: 'skip the clock checks (no network)'}),
  };

  async run(): Promise<DoctorResult> {
    const {flags} = await this.parse(Doctor);
    const home = this.home;
    let ctx: Context | undefined;
    try {
      ctx = await Context.open();
    } catch {
      ctx = undefined; // an invalid config is reported by the config check
    }
    const names = ctx && !flags.offline ? ctx.selectVenues(flags.venues) : undefined;
    const report = await runDoctor({
      home,
      env: process.env,
      clock: ctx?.clock ?? {now: () => Date.now()},
      venues: names,
      venueConfigs: ctx && names ? Object.fromEntries(names.map((n) => [n, ctx!.venueConfig(n)])) : undefined,
      openVenue: ctx ? (name, config) => createVenue(name, config, {db: undefined, clock: ctx!.clock, env: process.env, paper: false}) : undefined,
    });
    const mark: Record<CheckStatus, string> = {ok: this.chalk.green('ok  '), warn: this.chalk.yellow('warn'), fail: this.chalk.red('fail')};
    this.out(report.checks.map((c) => `${mark[c.status]}  ${c.message}`).join('\n'));
    this.out(`${report.counts.ok} ok, ${report.counts.warn} warn, ${report.counts.fail} fail`);
    return report;
  }
}
