import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.js";

// For `npm run mutate`: the tests that run scantail's code in-process. The end-to-end
// tests spawn the built binary, which a mutant in src/ does not change.
export default mergeConfig(
  base,
  defineConfig({
    test: {
      include: [
        "test/unit/**/*.test.ts",
        "test/integration/**/*.test.ts",
        "test/fuzz/**/*.test.ts",
      ],
    },
  }),
);
