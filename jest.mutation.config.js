import base from './jest.config.js';

// Mutation testing (stryker.config.mjs) runs only the suites that guard the
// mutated modules; stryker.config.mjs sets MUTATE_TESTS from its chosen set.
export default {
  ...base,
  testMatch: (process.env.MUTATE_TESTS ?? 'test/unit/security/**/*.test.ts')
    .split(',')
    .map((glob) => `<rootDir>/${glob}`),
};
