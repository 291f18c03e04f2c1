#!/usr/bin/env node
// dist/oclif.js is the @oclif/core bundled with the commands (npm run build):
// the commands must extend the same copy this starts.
import {execute, settings} from '../dist/oclif.js';

// dist/ is compiled: never look for TypeScript sources or register a
// transpiler, even when NODE_ENV is development or test (as under vitest).
settings.enableAutoTranspile = false;

await execute({dir: import.meta.url});
// Sockets kept alive by exchange clients must not hold the process open once
// the command has finished; stdout and stderr are synchronous for files and
// pipes on POSIX, so nothing written is lost.
process.exit();
