import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers, enforced here rather than remembered (see docs/design-decisions.md):
 * - only src/core/venues/ccxt imports ccxt; only src/core/journal/db.ts imports better-sqlite3;
 * - commands and src/cli reach the journal only through src/core/journal/index.ts, and import only types
 *   from it: a command never builds a repository, it calls the one core function that owns them;
 * - the PostgreSQL client is loaded only by src/core/journal/pg, on its own thread;
 * - only src/core/bus/nats.ts imports the NATS client (@nats-io/*), behind the MarketBus port;
 * - src/core never imports the command layer (src/cli, src/commands), rendering (src/ui) or terminal packages;
 * - core never prints or exits; SQL text lives only in src/core/journal;
 * - venues never import market/ or execution/; the account engine (venues/account) imports only
 *   the ground floor (types, errors) and money/.
 */
const CCXT = {group: ['ccxt', 'ccxt/*'], message: 'only src/core/venues/ccxt talks to ccxt'};
const SQLITE = {group: ['better-sqlite3'], message: 'only src/core/journal/db.ts imports better-sqlite3; use a journal repository'};
const PG = {regex: '^(pg|pg-[a-z-]+|postgres)(/.*)?$', message: 'only src/core/journal/pg (its worker thread) talks to PostgreSQL; use a journal repository'};
const NATS = {group: ['@nats-io/*', 'nats'], message: 'only src/core/bus/nats.ts talks to NATS; use the MarketBus port (src/core/bus/port.ts)'};
const JOURNAL_INSIDE = {
  group: ['**/core/journal/*', '!**/core/journal/index.js', '**/core/journal/migrations/*'],
  message: 'commands reach the journal only through src/core/journal/index.ts (its public surface)',
};
const JOURNAL_TYPES_ONLY = {
  group: ['**/core/journal/*'],
  allowTypeImports: true,
  message: 'commands parse, call one core function and render: import only types from the journal, and let core open its repositories',
};
const CORE_UP = {
  group: ['**/cli/*', '**/ui/*', '**/commands/*', '@oclif/*', 'chalk', 'cli-table3'],
  message: 'core returns values and throws typed errors; rendering and the command layer sit above it',
};

const VENUES_DOWN = {
  regex: String.raw`^(\.\./)+(market|execution)/`,
  message: 'venues sit below market data and execution; move what both need down (e.g. venues/account)',
};
const ACCOUNT_LEAF = {
  regex: String.raw`^\.\./(?!\.\./(types|errors)\.js$|\.\./money/)`,
  message: 'the account engine imports only the core types, errors and money/',
};

const SQL = /^\s*(SELECT|INSERT|UPDATE|DELETE|CREATE|DROP|ALTER|PRAGMA)\s/i.source;
const NO_SQL = [
  'error',
  {selector: `Literal[value=/${SQL}/]`, message: 'SQL lives in src/core/journal repositories'},
  {selector: `TemplateElement[value.raw=/${SQL}/]`, message: 'SQL lives in src/core/journal repositories'},
];

const NO_REPOSITORY = {
  selector: String.raw`NewExpression[callee.name=/(Repo|Repository|Snapshots)$/]`,
  message: 'commands do not build repositories: call the core function that owns them',
};

export default tseslint.config(
  {ignores: ['dist/**', 'node_modules/**', 'oclif.manifest.json', 'tmp/**']},
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {globals: {process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', Buffer: 'readonly'}},
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', {argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none'}],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-constant-condition': ['error', {checkLoops: false}],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/core/**'],
    rules: {'no-restricted-imports': ['error', {patterns: [PG, CCXT, SQLITE, NATS, JOURNAL_INSIDE]}]},
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/venues/ccxt/**', 'src/core/journal/db.ts', 'src/core/bus/nats.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': ['error', {object: 'process', property: 'exit'}],
      'no-restricted-imports': ['error', {patterns: [PG, CCXT, SQLITE, NATS, CORE_UP]}],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/core/journal/**'],
    rules: {'no-restricted-syntax': NO_SQL},
  },
  {
    files: ['src/commands/**/*.ts', 'src/cli/**/*.ts'],
    rules: {
      'no-restricted-syntax': [...NO_SQL, NO_REPOSITORY],
      '@typescript-eslint/no-restricted-imports': ['error', {patterns: [JOURNAL_TYPES_ONLY]}],
    },
  },
  {
    files: ['src/core/venues/**/*.ts'],
    ignores: ['src/core/venues/ccxt/**', 'src/core/venues/account/**'],
    rules: {'no-restricted-imports': ['error', {patterns: [PG, CCXT, SQLITE, NATS, CORE_UP, VENUES_DOWN]}]},
  },
  {
    files: ['src/core/venues/account/**/*.ts'],
    rules: {'no-restricted-imports': ['error', {patterns: [PG, CCXT, SQLITE, NATS, CORE_UP, ACCOUNT_LEAF]}]},
  },
  {
    files: ['src/core/venues/ccxt/**/*.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': ['error', {object: 'process', property: 'exit'}],
      'no-restricted-imports': ['error', {patterns: [PG, SQLITE, NATS, CORE_UP, VENUES_DOWN]}],
    },
  },
  {
    files: ['src/core/journal/db.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': ['error', {object: 'process', property: 'exit'}],
      'no-restricted-imports': ['error', {patterns: [PG, CCXT, NATS, CORE_UP]}],
    },
  },
  {
    files: ['src/core/bus/nats.ts'],
    rules: {
      'no-console': 'error',
      'no-restricted-properties': ['error', {object: 'process', property: 'exit'}],
      'no-restricted-imports': ['error', {patterns: [PG, CCXT, SQLITE, CORE_UP]}],
    },
  },
);
