import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The layering of docs/architecture.md ("Layers"), as import restrictions: a
// wrong import fails `npm run lint` (test/unit/adapter/layering.test.ts).
// Each file matches exactly one layer below (a later config object would
// replace, not extend, an earlier one's patterns).
const SERVER = {
  regex: '(^|/)server/',
  message: 'src/server is the gateway’s wiring: depend on the interfaces in src/adapter instead.',
};
const FASTIFY = {
  group: ['fastify', 'fastify/*', '@fastify/*'],
  message: 'Only the server and the HTTP host interface (src/adapter/http-host.ts) know fastify.',
};
const ADAPTERS = {
  regex: '(^|/)adapters/',
  message:
    'The core does not import adapters (the registry in adapters/index.ts lists them); an adapter imports no other adapter.',
};
const OTHER_ADAPTER = {
  regex: '^\\.\\./(?!\\.\\./)',
  message: 'An adapter imports no other adapter: what HTTP adapters share lives in src/adapter/.',
};
const layer = (files, patterns, ignores = []) => ({
  files,
  ignores,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});

export default tseslint.config(
  { ignores: ['dist/**', '.dist-test-*/**', 'node_modules/**', 'coverage/**', 'var/**', '.stryker-tmp/**', 'reports/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // bin/*.cjs run before any ES module (bin/thread-pool.cjs says why): CommonJS globals.
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      '@typescript-eslint/no-explicit-any': 'off',
    },
  },
  layer(['adapters/*/**/*.ts'], [SERVER, FASTIFY, ADAPTERS, OTHER_ADAPTER]),
  layer(
    ['src/message/**/*.ts'],
    [
      {
        regex: '^\\.\\./',
        message: 'src/message is the base layer: it imports nothing else of the gateway.',
      },
      FASTIFY,
    ],
  ),
  layer(
    ['src/pipeline/**/*.ts'],
    [
      SERVER,
      FASTIFY,
      ADAPTERS,
      {
        regex: '(^|/)adapter/(?!contract(\\.js)?$)',
        message:
          'The pipeline sees the transport-free part of the contract: src/adapter/contract.ts.',
      },
    ],
  ),
  layer(['src/adapter/**/*.ts'], [SERVER, FASTIFY, ADAPTERS], ['src/adapter/http-host.ts']),
  layer(['src/adapter/http-host.ts'], [SERVER, ADAPTERS]),
  layer(
    ['src/**/*.ts'],
    [ADAPTERS],
    ['src/message/**', 'src/pipeline/**', 'src/adapter/**', 'src/cli.ts'],
  ),
);
