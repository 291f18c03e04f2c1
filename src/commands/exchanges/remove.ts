import {Args} from '@oclif/core';
import {updateConfig} from '../../core/config/store.js';
import {removeVenue} from '../../core/venues/manage.js';
import {XarbCommand} from '../../cli/base-command.js';

export interface ExchangeRemoveResult {
  readonly removed: string;
}

export default class ExchangesRemove extends XarbCommand<ExchangeRemoveResult> {
  static override demoNotice = false;
  static override summary = 'Remove a venue from the config (its journal history is kept)';
  static override description = 'Only the config entry is removed: orders, fills and reconcile runs of the venue stay in the journal. Once the last venue is removed, the built-in demo venues are used again.';
  static override examples = ['<%= config.bin %> exchanges remove kraken', '<%= config.bin %> exchanges remove kraken-main --json'];
  static override args = {name: Args.string({description: 'venue name', required: true})};

  async run(): Promise<ExchangeRemoveResult> {
    const {args} = await this.parse(ExchangesRemove);
    await updateConfig(this.home, (raw) => removeVenue(raw, args.name.toLowerCase()));
    this.out(`removed ${args.name}`);
    return {removed: args.name};
  }
}
