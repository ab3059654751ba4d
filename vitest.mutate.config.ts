import { defineConfig } from "vitest/config";

// For `npm run mutate`: the tests that run scantail's code in-process (a standalone
// config: mergeConfig would append to the base config's include, not replace it). The
// end-to-end tests spawn the built binary, which a mutant in src/ does not change.
export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "threads",
    env: { SCANTAIL_CONFIG_DIR: "/nonexistent/scantail-tests-must-set-their-own" },
  },
});
