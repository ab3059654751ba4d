import { statSync } from "node:fs";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

// For `npm run mutate` (a standalone config: mergeConfig would append to the base
// config's include, not replace it). Each mutant runs the in-process tests that reach it
// and stops at the first failure, so the order decides the cost: quick unit files first,
// then integration files, smallest first. Left out: the end-to-end tests (they spawn the
// built binary, which a mutant in src/ does not change) and the sign-in, config-store and
// JetStream tests, which exercise src/auth, src/config and src/outputs — outside the
// mutated folders — and take a third of the suite's time.
class QuickFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const weight = (file: TestSpecification) =>
      (file.moduleId.includes("/test/unit/") ? 0 : 1e9) + statSync(file.moduleId).size;
    return [...files].sort((a, b) => weight(a) - weight(b));
  }
}

export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts", "test/integration/**/*.test.ts"],
    exclude: ["test/integration/auth*.test.ts", "test/integration/forward-jetstream.test.ts"],
    sequence: { sequencer: QuickFirst },
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "threads",
    env: { SCANTAIL_CONFIG_DIR: "/nonexistent/scantail-tests-must-set-their-own" },
  },
});
