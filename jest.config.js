// Jest runs the TypeScript sources as native ES modules (libxml2-wasm needs
// top-level await, so CommonJS is not an option). @swc/jest strips types only;
// `npm run typecheck` is what checks them.
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: { parser: { syntax: 'typescript' }, target: 'es2022' },
        module: { type: 'es6' },
        sourceMaps: 'inline',
      },
    ],
  },
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // A mutation run's sandbox (npm run mutate) is a copy of the project: not ours to load.
  modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp/'],
  testTimeout: 30000,
  maxWorkers: 2,
};
