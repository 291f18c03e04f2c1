import {configJsonSchema} from '../../core/config/schema.js';
import {XarbCommand} from '../../cli/base-command.js';

export type ConfigSchemaResult = Record<string, unknown>;

export default class ConfigSchema extends XarbCommand<ConfigSchemaResult> {
  static override demoNotice = false;
  static override summary = 'Print the JSON Schema of the config file, for editors';
  static override description = 'The schema is the one xarb validates the config with. Point your editor at it, e.g. add "$schema": "./config.schema.json" to config.json after saving it next to the file.';
  static override examples = ['<%= config.bin %> config schema > "$XARB_HOME/config.schema.json"'];

  async run(): Promise<ConfigSchemaResult> {
    await this.parse(ConfigSchema);
    const schema = configJsonSchema();
    this.out(JSON.stringify(schema, null, 2));
    return schema;
  }
}
