import {Args, Command} from '@oclif/core';
import {runAutocomplete} from '../../cli/autocomplete.js';

export default class AutocompleteScript extends Command {
  static override hidden = true;
  static override summary = 'Print the shell profile line that loads completion';
  static override description = 'Used by `xarb autocomplete`; the line sources the completion setup from the cache folder.';
  static override examples = ['<%= config.bin %> autocomplete script bash'];
  static override args = {shell: Args.string({description: 'shell type', options: ['zsh', 'bash', 'powershell'], required: true})};

  async run(): Promise<void> {
    await this.parse(AutocompleteScript);
    await runAutocomplete('script', this.argv, this.config);
  }
}
