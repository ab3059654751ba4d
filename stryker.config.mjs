// Mutation testing (`npm run mutate`, not part of CI): plants small bugs in the core and
// checks that some test fails for each. The score and how to rerun it are in the README.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: "vitest",
  vitest: { configFile: "vitest.mutate.config.ts" },
  mutate: [
    "src/events/**/*.ts",
    "src/format/**/*.ts",
    "src/run/**/*.ts",
    "src/feed/**/*.ts",
    "src/sources/**/*.ts",
  ],
  // Each mutant runs only the tests that reach it (vitest.mutate.config.ts says which).
  coverageAnalysis: "perTest",
  // Static mutants (module-level constants, run once at import) would each need the whole
  // suite: about 90 of 4 700 mutants, nearly an hour on a 2-core machine. The report lists them as
  // ignored; the score counts the rest.
  ignoreStatic: true,
  // Results are kept in reports/stryker-incremental.json: the next run tests only mutants
  // whose code or covering tests changed (`--force` tests all again).
  incremental: true,
  reporters: ["clear-text", "progress-append-only", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 85, low: 80, break: null },
  concurrency: 2,
  timeoutMS: 20_000,
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
