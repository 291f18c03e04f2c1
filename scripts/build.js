/**
 * Builds dist/ for bin/run.js: the commands, the hooks, @oclif/core and the
 * packages every command needs, bundled by esbuild into one script,
 * dist/chunks/app-<hash>.cjs, that dist/app.js compiles with V8's code cache
 * (scripts/app-loader.js). Start-up is most of a short command's wall time:
 * one script read and compiled once, then started from the bytecode of an
 * earlier run, is much cheaper than resolving, reading and compiling dozens
 * of modules on every start.
 *
 * - dist/commands/**.js, dist/hooks/*.js and the help class keep their paths,
 *   so oclif finds them by its usual pattern and `oclif manifest` lists them;
 *   each is a two-line stub that takes its class from the bundle.
 * - In the bundle, each command's code is initialized only when that command
 *   is loaded (the entry imports each one dynamically), and so is any module a
 *   source imports dynamically (the NATS client, a venue dialect). There is one
 *   @oclif/core: the commands extend the copy bin/run.js starts.
 * - Packages not listed in BUNDLED stay external and load from node_modules
 *   at run time: ccxt (big, imported one exchange class at a time), conf
 *   (imported only by the commands that edit settings) and anything added
 *   later. better-sqlite3's JavaScript is bundled; its compiled addon is
 *   loaded from the package (journal/db.ts).
 * - Parts of @oclif/core that a command run does not need are loaded only
 *   when used (see LAZY), and its engine check is compiled out: it checks
 *   @oclif/core's own engines range (node >= 18), which ours (>= 20) implies.
 *
 * Usage: node scripts/build.js (npm run build runs it, then `oclif manifest`).
 */
import {mkdirSync, readFileSync, readdirSync, realpathSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {dirname, join, relative} from 'node:path';
import {fileURLToPath} from 'node:url';
import {build} from 'esbuild';
import {PATCHES} from './patches.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SRC = join(ROOT, 'src');
const OUT = join(ROOT, 'dist');
const OCLIF_LIB = dirname(createRequire(import.meta.url).resolve('@oclif/core'));

/**
 * Packages bundled when src imports them; their own dependencies are bundled with them.
 * The NATS client (@nats-io/*, ~60 CommonJS files) is bundled too: only the bus module
 * imports it, dynamically, so it lands in that module's chunk and loads only with --source.
 */
const BUNDLED = new Set(['@oclif/core', 'better-sqlite3', 'chalk', 'cli-table3', '@nats-io/transport-node', '@nats-io/jetstream', '@nats-io/kv']);

/** Never bundled, whoever imports them: development-mode tooling @oclif/core looks up only outside production. */
const NEVER = new Set(['typescript', 'tsx', 'ts-node']);

/**
 * Dependencies @oclif/core requires at module level but uses only on some
 * paths: rendering help (ejs, wrap-ansi, indent-string, string-width,
 * widest-line), errors (clean-stack), matching plugin names (minimatch),
 * finding command files when there is no manifest (tinyglobby), reading an
 * oclif config outside package.json (lilconfig), spinners (cli-spinners), the
 * engine check (semver). Each is bundled on its own into
 * dist/vendor/<name>.cjs, and @oclif/core gets a stand-in that requires it on
 * first use. `debug` is loaded only when DEBUG is set: without it no
 * namespace is enabled and oclif's debug calls print nothing.
 */
const LAZY = ['ejs', 'wrap-ansi', 'indent-string', 'string-width', 'widest-line', 'clean-stack', 'minimatch', 'tinyglobby', 'lilconfig', 'cli-spinners', 'semver', 'debug'];

/**
 * Node built-ins @oclif/core requires at module level for rare paths: reading
 * a flag value from stdin (readline), finding the Windows shell
 * (child_process), performance tracing (perf_hooks). Each one loaded costs
 * start-up time (child_process also loads net and dgram), so @oclif/core gets
 * a stand-in that requires it on first use.
 */
const LAZY_BUILTINS = ['node:readline', 'node:child_process', 'node:perf_hooks'];

/**
 * The NATS client (bundled, see BUNDLED) as a nats:// connection without
 * credentials or TLS uses it. These parts stay out of its chunk:
 * - @nats-io/nkeys and tweetnacl (nkey and JWT authentication only) load on
 *   first use from dist/vendor/nats-nkeys.cjs;
 * - node:tls (TLS connections) and node:dns (host names) load on first use.
 *   Until node:tls is loaded no TLS socket can exist (the client makes one
 *   with tls.connect, which loads it), so the client's `instanceof
 *   TLSSocket` check answers false without loading it;
 * - nats-core's WebSocket transport (wsconnect) and benchmark helper (Bench)
 *   are left out: nothing here uses them, and using one throws.
 * And @nats-io/nuid seeds its inbox names from the system's CSPRNG read
 * directly (/dev/urandom; node:crypto's randomFillSync where there is none)
 * instead of globalThis.crypto.getRandomValues: the same kind of bytes,
 * without loading Web Crypto (~10 ms of every connection's start) or
 * node:crypto (~3 ms).
 */
const NATS_CORE_LIB = dirname(createRequire(createRequire(import.meta.url).resolve('@nats-io/transport-node')).resolve('@nats-io/nats-core'));
const NATS_STAND_INS = {
  '@nats-io/nkeys': [
    'let real;',
    "const load = () => (real ??= require('../vendor/nats-nkeys.cjs'));",
    // nats-core takes the namespace as an ES module's (__esModule), so it is not copied (which would load it).
    "module.exports = new Proxy({}, {get: (_, key) => (key === '__esModule' ? true : load()[key])});",
  ],
  'node:tls': [
    'let real;',
    "const load = () => (real ??= require('node:tls'));",
    'const noSocketYet = {[Symbol.hasInstance]: (value) => real !== undefined && value instanceof real.TLSSocket};',
    "module.exports = new Proxy({}, {get: (_, key) => (key === '__esModule' ? undefined : key === 'TLSSocket' && !real ? noSocketYet : load()[key])});",
  ],
  'node:dns': [
    'let real;',
    "const load = () => (real ??= require('node:dns'));",
    "module.exports = new Proxy({}, {get: (_, key) => (key === '__esModule' ? undefined : load()[key])});",
  ],
  './ws_transport': ['module.exports = missing("the WebSocket transport");'],
  './bench': ['module.exports = missing("the benchmark helper");'],
};
const NUID_PATCH = {
  file: '@nats-io/nuid/lib/nuid.js',
  find: 'if (globalThis?.crypto?.getRandomValues) {\n        globalThis.crypto.getRandomValues(a);\n    }',
  replace: [
    'if (true) {',
    '        let filled = false;',
    '        try {',
    '            const fs = require("node:fs");',
    '            const fd = fs.openSync("/dev/urandom", "r");',
    '            try {',
    '                filled = fs.readSync(fd, a, 0, a.length, null) === a.length;',
    '            } finally {',
    '                fs.closeSync(fd);',
    '            }',
    '        } catch {',
    '            filled = false;',
    '        }',
    '        if (!filled) require("node:crypto").randomFillSync(a);',
    '    }',
  ].join('\n'),
};
const NATS_MISSING = [
  'const missing = (what) =>',
  "  new Proxy({}, {get: (_, key) => { if (key === '__esModule') return undefined; throw new Error(`${what} of the NATS client is not part of this build`); }});",
];

const natsLazy = {
  name: 'xarb-nats-lazy',
  setup(b) {
    const fromNats = (args) => args.importer.includes(`${'/'}node_modules${'/'}@nats-io${'/'}`) && args.namespace !== 'xarb-nats-lazy';
    const fromNatsCore = (args) => fromNats(args) && args.importer.startsWith(NATS_CORE_LIB);
    b.onResolve({filter: /^(@nats-io\/nkeys|node:tls|node:dns)$/}, (args) => (fromNats(args) ? {path: args.path, namespace: 'xarb-nats-lazy'} : undefined));
    b.onResolve({filter: /^\.\/(ws_transport|bench)$/}, (args) => (fromNatsCore(args) ? {path: args.path, namespace: 'xarb-nats-lazy'} : undefined));
    b.onLoad({filter: /[\\/]@nats-io[\\/]nuid[\\/]lib[\\/]nuid\.js$/}, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes(NUID_PATCH.find)) {
        process.stderr.write(`warning: ${NUID_PATCH.file} changed; start-up patch not applied (Web Crypto loads on connect)\n`);
        return undefined;
      }
      return {contents: source.replace(NUID_PATCH.find, NUID_PATCH.replace), loader: 'js'};
    });
    b.onLoad({filter: /.*/, namespace: 'xarb-nats-lazy'}, (args) => ({
      contents: [...(args.path.startsWith('./') ? NATS_MISSING : []), ...NATS_STAND_INS[args.path]].join('\n'),
      loader: 'js',
    }));
  },
};


function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

const externals = {
  name: 'xarb-externals',
  setup(b) {
    b.onResolve({filter: /^[^./]/}, (args) => {
      if (args.path.startsWith('node:') || args.path.startsWith('xarb:') || args.namespace.startsWith('xarb-')) return undefined;
      const name = packageName(args.path);
      if (NEVER.has(name)) return {path: args.path, external: true};
      const fromPackage = args.importer.includes(`${'/'}node_modules${'/'}`);
      if (fromPackage || BUNDLED.has(name)) return undefined;
      return {path: args.path, external: true};
    });
  },
};

/**
 * The bundle's entry: what bin/run.js takes from @oclif/core, and one loader
 * per command, hook and help class (MODULES). Each is a dynamic import, so in
 * the one-file bundle every command's code is initialized only when that
 * command is loaded.
 */
const appEntry = {
  name: 'xarb-app-entry',
  setup(b) {
    b.onResolve({filter: /^xarb:app$/}, () => ({path: 'app', namespace: 'xarb-entry'}));
    b.onLoad({filter: /.*/, namespace: 'xarb-entry'}, () => ({
      contents: [
        "export {execute, settings} from '@oclif/core';",
        'export const modules = {',
        ...MODULES.map(({name, path}) => `  ${JSON.stringify(name)}: () => import(${JSON.stringify(path)}),`),
        '};',
      ].join('\n'),
      loader: 'js',
      resolveDir: ROOT,
    }));
  },
};

/**
 * Two more start-up savings that keep behaviour:
 * - @oclif/core asks wsl-utils whether it runs under WSL; loading wsl-utils
 *   also loads child_process and powershell-utils. The stand-in answers with
 *   the is-wsl package wsl-utils itself uses, and imports wsl-utils only for
 *   Windows' PowerShell path.
 * - `import process from 'node:process'` in bundled packages (chalk, is-wsl)
 *   makes Node build a module namespace of every property of `process`; the
 *   default export is the global `process`, so they get that directly. A named
 *   import from node:process fails the build (there is no such export here).
 */
const standIns = {
  name: 'xarb-stand-ins',
  setup(b) {
    b.onResolve({filter: /^wsl-utils$/}, (args) =>
      args.namespace === 'xarb-stand-in' || !args.importer.includes(`${'/'}node_modules${'/'}@oclif${'/'}core${'/'}`)
        ? undefined
        : {path: 'wsl-utils', namespace: 'xarb-stand-in'},
    );
    b.onResolve({filter: /^(node:)?process$/}, (args) => (args.kind === 'import-statement' ? {path: 'process', namespace: 'xarb-stand-in'} : undefined));
    b.onLoad({filter: /^wsl-utils$/, namespace: 'xarb-stand-in'}, () => ({
      contents: "export {default as isWsl} from 'is-wsl';\nexport const powerShellPath = async () => (await import('wsl-utils')).powerShellPath();\n",
      loader: 'js',
      resolveDir: OCLIF_LIB,
    }));
    b.onLoad({filter: /^process$/, namespace: 'xarb-stand-in'}, () => ({contents: 'export default globalThis.process;\n', loader: 'js'}));
  },
};

const lazy = {
  name: 'xarb-lazy',
  setup(b) {
    const fromOclif = (args) => args.importer.includes(`${'/'}node_modules${'/'}@oclif${'/'}core${'/'}`);
    const escape = (n) => n.replace(/[-/]/g, '\\$&');
    b.onResolve({filter: new RegExp(`^(${[...LAZY, ...LAZY_BUILTINS].map(escape).join('|')})$`)}, (args) =>
      fromOclif(args) && args.namespace !== 'xarb-lazy' ? {path: args.path, namespace: 'xarb-lazy'} : undefined,
    );
    b.onResolve({filter: /^\.\.\/vendor\//}, (args) => ({path: args.path, external: true}));
    // A stand-in that loads the real module on first use of any member (never for
    // `__esModule`, which interop helpers read on import). The relative path
    // holds because the stand-ins land in dist/chunks (checked below).
    // The stand-in is callable (several of these modules export a function).
    b.onLoad({filter: /.*/, namespace: 'xarb-lazy'}, (args) => ({
      contents: [
        'let real;',
        `const load = () => (real ??= require(${JSON.stringify(args.path.startsWith('node:') ? args.path : `../vendor/${args.path}.cjs`)}));`,
        'const standIn = new Proxy(() => {}, {',
        "  get: (_, key) => (key === '__esModule' ? undefined : load()[key]),",
        '  apply: (_, self, args) => Reflect.apply(load(), self, args),',
        '});',
        args.path === 'debug'
          ? 'const disabled = Object.assign(() => {}, {enabled: false});\nmodule.exports = (namespace) => (process.env.DEBUG ? standIn(namespace) : disabled);'
          : 'module.exports = standIn;',
      ].join('\n'),
      loader: 'js',
    }));
  },
};

const patches = {
  name: 'xarb-patches',
  setup(b) {
    for (const patch of PATCHES) {
      // esbuild loads files by their real path: node_modules may be a link (a checkout sharing another's).
      let path;
      try {
        path = realpathSync(join(ROOT, 'node_modules', patch.file));
      } catch {
        process.stderr.write(`warning: ${patch.file} not found; start-up patch not applied\n`);
        continue;
      }
      b.onLoad({filter: new RegExp(`${path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`)}, () => {
        const source = readFileSync(path, 'utf8');
        if (!source.includes(patch.find)) {
          process.stderr.write(`warning: ${patch.file} changed; start-up patch not applied (${patch.find})\n`);
          return undefined;
        }
        return {contents: source.replace(patch.find, patch.replace), loader: 'js'};
      });
    }
  },
};

/** Files under dir (recursively) whose name passes `keep`; TypeScript sources by default. */
function entries(dir, keep = (name) => name.endsWith('.ts') && !name.endsWith('.d.ts')) {
  const found = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) found.push(...entries(path, keep));
    else if (keep(name)) found.push(path);
  }
  return found;
}

/** dist paths named in package.json's oclif section other than commands and hooks (e.g. helpClass), as src-relative names. */
function referencedModules() {
  const oclif = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).oclif ?? {};
  return [oclif.helpClass].filter((p) => typeof p === 'string').map((p) => p.replace(/^\.\/dist\//, '').replace(/\.js$/, ''));
}

/** Every module oclif loads by path: the commands, the hooks and the help class, by their dist-relative names without .js. */
const MODULES = [
  ...[...entries(join(SRC, 'commands')), ...entries(join(SRC, 'hooks'))].map((path) => ({name: relative(SRC, path).replace(/\.ts$/, ''), path})),
  ...referencedModules().map((name) => ({name, path: join(SRC, `${name}.ts`)})),
];

// Empty the code cache of earlier builds (see scripts/app-loader.js).
rmSync(join(OUT, '.cache'), {recursive: true, force: true});

const result = await build({
  absWorkingDir: ROOT,
  entryPoints: [{in: 'xarb:app', out: 'chunks/app'}],
  entryNames: '[dir]/[name]-[hash]',
  outExtension: {'.js': '.cjs'},
  outdir: OUT,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  // Less text to read; names are kept (no identifier minification).
  minifyWhitespace: true,
  minifySyntax: true,
  define: {
    'process.env.OCLIF_DISABLE_ENGINE_WARNING': '"1"',
    XARB_VENDOR_ZOD: JSON.stringify('../vendor/zod.cjs'),
    XARB_ZOD_VERSION: JSON.stringify(createRequire(join(ROOT, 'package.json'))('zod/package.json').version),
    // The bundle is a script, not a module: the loader passes these in (see scripts/app-loader.js).
    'import.meta.url': '__xarbUrl',
    'import.meta.resolve': '__xarbResolve',
  },
  plugins: [appEntry, standIns, externals, lazy, natsLazy, patches],
  logLevel: 'warning',
  metafile: true,
  write: false,
});

/**
 * Packages our own code requires on first use (config/schema.ts: zod), bundled
 * on their own into dist/vendor/<name>.cjs: one file loads much faster than a
 * package's many CommonJS files. The module requiring it must land in
 * dist/chunks (checked below), since the path is relative to it.
 */
const VENDORED = [{name: 'zod', requiredBy: 'src/core/config/schema.ts'}];

const vendor = await Promise.all(
  [
    ...LAZY.map((name) => ({name, resolveDir: OCLIF_LIB, out: name})),
    ...VENDORED.map(({name}) => ({name, resolveDir: ROOT, out: name})),
    // nkeys for the NATS client's stand-in (NATS_STAND_INS), required relative to dist/chunks.
    {name: '@nats-io/nkeys', resolveDir: NATS_CORE_LIB, out: 'nats-nkeys'},
  ].map(({name, resolveDir, out}) =>
    build({
      absWorkingDir: ROOT,
      // Resolved as @oclif/core (or VENDORED by our code, nkeys by the NATS client) resolves it, through its require() conditions.
      stdin: {contents: `module.exports = require(${JSON.stringify(name)});`, resolveDir, loader: 'js'},
      outfile: join(OUT, 'vendor', `${out}.cjs`),
      bundle: true,
      format: 'cjs',
      platform: 'node',
      target: 'node20',
      logLevel: 'warning',
      metafile: true,
    }),
  ),
);
for (const [file, output] of Object.entries(result.metafile.outputs)) {
  const natsStandIn = Object.keys(output.inputs).find((input) => input === 'xarb-nats-lazy:@nats-io/nkeys');
  if (natsStandIn && !file.startsWith('dist/chunks/')) throw new Error(`${natsStandIn} landed in ${file}, outside dist/chunks: its ../vendor path would not resolve`);
  const stand = Object.keys(output.inputs).find((input) => input.startsWith('xarb-lazy:'));
  if (stand && !file.startsWith('dist/chunks/')) throw new Error(`${stand} landed in ${file}, outside dist/chunks: its ../vendor path would not resolve`);
  for (const {requiredBy} of VENDORED) {
    if (output.inputs[requiredBy] && !file.startsWith('dist/chunks/')) throw new Error(`${requiredBy} landed in ${file}, outside dist/chunks: its ../vendor path would not resolve`);
  }
}

// The bundle is kept in memory by esbuild (write: false) and written below, like every file of the build, to a
// temp file renamed into place: a CLI starting during a rebuild never reads half a file.
const bundle = Object.keys(result.metafile.outputs).find((file) => file.endsWith('.cjs'));
// A script compiled by vm has no module loader of its own: `import()` of what stays outside the bundle (ccxt, conf, a
// few built-ins, oclif's loading of ES modules) becomes a call of the loader's __xarbImport, a plain import() in
// dist/app.js. Every call-shaped `import(` not inside a string literal is one of those.
// The loader reads the bundle as Latin-1, a third of the time of decoding UTF-8 (~3 ms of every start), so the
// bundle must be ASCII. esbuild escapes non-ASCII characters everywhere except inside regular expression
// literals (one in @oclif/core's colour stripping), where a \uXXXX escape matches the same character.
const bundleCode = result.outputFiles
  .find((f) => f.path === join(ROOT, bundle))
  .text.replace(/(?<![\w$.'"`])import\((?!\))/g, '__xarbImport(')
  .replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

// What the build writes besides the vendor files: the bundle, dist/app.js that loads it (scripts/app-loader.js),
// and the stubs oclif loads each command, hook and the help class from, which take it from the bundle.
const bundleName = relative(OUT, join(ROOT, bundle)).split('\\').join('/');
const loaderText = readFileSync(join(ROOT, 'scripts', 'app-loader.js'), 'utf8')
  .replace("'__XARB_BUNDLE__'", JSON.stringify(`./${bundleName}`))
  .replace("'__XARB_BUILD__'", JSON.stringify(bundleName.replace(/^.*app-|\.cjs$/g, '')));
const files = [
  {file: join(ROOT, bundle), text: bundleCode},
  {file: join(OUT, 'app.js'), text: loaderText},
  ...MODULES.map(({name}) => ({
    file: join(OUT, `${name}.js`),
    text: [
      `// ${name}: the code is in the bundle dist/app.js loads.`,
      `import {app} from '${'../'.repeat(name.split('/').length - 1)}app.js';`,
      `export default (await app.modules[${JSON.stringify(name)}]()).default;`,
      '',
    ].join('\n'),
  })),
];
for (const {file, text} of files) {
  mkdirSync(dirname(file), {recursive: true});
  writeFileSync(`${file}.${process.pid}.tmp`, text);
  renameSync(`${file}.${process.pid}.tmp`, file);
}

// dist/ is written in place, so a CLI running during a rebuild keeps its files
// (chunk names carry a content hash). Files this build did not write are
// removed once they are an hour old: old chunks, or the output of an older build.
const written = new Set([...[result, ...vendor].flatMap((r) => Object.keys(r.metafile.outputs)).map((file) => join(ROOT, file)), ...files.map((f) => f.file)]);
const hourAgo = Date.now() - 3_600_000;
for (const file of entries(OUT, () => true)) if (!written.has(file) && statSync(file).mtimeMs < hourAgo) rmSync(file);

if (process.env.XARB_BUILD_META) writeFileSync(process.env.XARB_BUILD_META, JSON.stringify(result.metafile));
const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
process.stdout.write(`built ${Object.keys(result.metafile.outputs).length} files (${(bytes / 1024).toFixed(0)} KiB) in dist/\n`);
