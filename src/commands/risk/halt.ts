import {Flags} from '@oclif/core';
import type {TradingStateRecord} from '../../core/journal/index.js';
import {changeTradingState} from '../../core/risk/switch.js';
import {XarbCommand} from '../../cli/base-command.js';

export type RiskStateResult = TradingStateRecord;

export default class RiskHalt extends XarbCommand<RiskStateResult> {
  static override demoNotice = false;
  static override summary = 'Kill switch: stop sending any order (every order is denied, exit 3)';
  static override description = 'The trading state is kept in the journal and read by every order in the same transaction that writes it, so it takes effect for every xarb process at once. The change is journalled as an event.';
  static override examples = ['<%= config.bin %> risk halt', '<%= config.bin %> risk halt --reason "exchange incident"'];
  static override flags = {reason: Flags.string({description: 'why (kept in the journal)'})};

  async run(): Promise<RiskStateResult> {
    const {flags} = await this.parse(RiskHalt);
    const ctx = await this.context();
    const state = await changeTradingState({db: ctx.db, clock: ctx.clock, alerts: ctx.alerts}, 'halted', flags.reason);
    this.out(`trading state: halted${flags.reason ? ` (${flags.reason})` : ''}`);
    return state;
  }
}
