#!/usr/bin/env node
// dist/app.js loads the bundle of @oclif/core and the commands (npm run build);
// the command line it is given chooses its code cache (see scripts/app-loader.js).
globalThis[Symbol.for('xarb.argv')] = process.argv.slice(2);
const {app} = await import('../dist/app.js');

// dist/ is compiled: never look for TypeScript sources or register a
// transpiler, even when NODE_ENV is development or test (as under vitest).
app.settings.enableAutoTranspile = false;

await app.execute({dir: import.meta.url});
// Sockets kept alive by exchange clients must not hold the process open once
// the command has finished; stdout and stderr are synchronous for files and
// pipes on POSIX, so nothing written is lost.
process.exit();
