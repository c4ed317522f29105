// Mutation testing of the security checks (issue 21): `npm run mutate`.
// MUTATE=security (default): src/security, src/policy and the authenticate,
// authorize and verify-signature stages, with their unit tests.
// MUTATE=token: the /token endpoint's credential parsing, with the e2e suites
// that reach it. Not part of `npm test`: a run takes many minutes.
const sets = {
  security: {
    mutate: [
      'src/security/**/*.ts',
      '!src/security/index.ts',
      'src/policy/**/*.ts',
      'src/pipeline/stages/authenticate.ts',
      'src/pipeline/stages/authorize.ts',
      'src/pipeline/stages/verify-signature.ts',
    ],
    tests: [
      'test/unit/security/**/*.test.ts',
      'test/unit/policy/**/*.test.ts',
      'test/unit/pipeline/security-stages.test.ts',
    ],
  },
  token: {
    mutate: ['src/server/system-routes.ts'],
    tests: ['test/e2e/connection-test.test.ts', 'test/e2e/signature-purposes.test.ts'],
  },
};
const set = sets[process.env.MUTATE ?? 'security'];
if (!set) throw new Error(`MUTATE must be one of ${Object.keys(sets).join(', ')}`);
process.env.MUTATE_TESTS = set.tests.join(',');

export default {
  testRunner: 'jest',
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  jest: { configFile: 'jest.mutation.config.js', enableFindRelatedTests: false },
  // MUTATE_FILES (comma-separated) narrows the set, e.g. to the files a change touched.
  mutate: process.env.MUTATE_FILES ? process.env.MUTATE_FILES.split(',') : set.mutate,
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants) would rerun every test each: left out, and counted as ignored.
  ignoreStatic: true,
  concurrency: Number(process.env.MUTATE_CONCURRENCY ?? 2),
  timeoutMS: 20000,
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: `reports/mutation/${process.env.MUTATE ?? 'security'}.json` },
  tempDirName: '.stryker-tmp',
};
