#!/usr/bin/env node
import {execute} from '@oclif/core';

await execute({dir: import.meta.url});
// Sockets kept alive by exchange clients must not hold the process open once
// the command has finished; stdout and stderr are synchronous for files and
// pipes on POSIX, so nothing written is lost.
process.exit();
