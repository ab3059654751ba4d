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
  // The end-to-end tests spawn the built binary, which a mutant in src/ does not change.
  coverageAnalysis: "perTest",
  reporters: ["clear-text", "progress", "html", "json"],
  htmlReporter: { fileName: "reports/mutation/index.html" },
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  thresholds: { high: 85, low: 80, break: null },
  concurrency: 2,
  timeoutMS: 20_000,
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
