#!/usr/bin/env -S node --import tsx --no-warnings
// Runs the TypeScript sources in src/ directly, without a build: for
// development only (it starts several times slower than bin/run.js, finds the
// commands by scanning src/commands and ignores oclif.manifest.json).
// Run it as ./bin/dev.js or `node --import tsx bin/dev.js`.
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {Config, Plugin, execute, settings} from '@oclif/core';

const root = fileURLToPath(new URL('..', import.meta.url));
const pjson = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const toSource = (path) => path.replace(/^\.\/dist\//, './src/').replace(/\.js$/, '.ts');
pjson.oclif.commands = toSource(pjson.oclif.commands);
pjson.oclif.hooks = Object.fromEntries(Object.entries(pjson.oclif.hooks ?? {}).map(([event, path]) => [event, toSource(path)]));

// tsx (loaded by --import) compiles the sources; oclif must not look for tsconfig paths itself.
settings.enableAutoTranspile = false;
const plugin = new Plugin({root, pjson, isRoot: true, ignoreManifest: true});
await plugin.load();
const config = await Config.load({root, plugins: new Map([[plugin.name, plugin]])});
await execute({development: true, loadOptions: config});
process.exit();
