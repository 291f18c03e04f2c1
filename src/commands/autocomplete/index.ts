import {Args, Command, Flags} from '@oclif/core';
import {runAutocomplete} from '../../cli/autocomplete.js';

export default class Autocomplete extends Command {
  static override summary = 'Set up shell completion (bash, zsh, PowerShell)';
  static override description = 'Builds the completion cache and prints the line to add to your shell profile. Run it again with --refresh-cache after upgrading xarb so new commands and flags complete.';
  static override examples = ['<%= config.bin %> autocomplete', '<%= config.bin %> autocomplete bash', '<%= config.bin %> autocomplete zsh', '<%= config.bin %> autocomplete --refresh-cache'];
  static override args = {shell: Args.string({description: 'shell type (default: the current shell)', options: ['zsh', 'bash', 'powershell'], required: false})};
  static override flags = {'refresh-cache': Flags.boolean({char: 'r', description: 'only rebuild the completion cache (no instructions)'})};

  async run(): Promise<void> {
    await this.parse(Autocomplete);
    await runAutocomplete('index', this.argv, this.config);
  }
}
