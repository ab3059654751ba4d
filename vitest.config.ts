import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: "forks",
    // Tests never read the user's real config: every helper points SCANTAIL_CONFIG_DIR at a temp dir.
    env: { SCANTAIL_CONFIG_DIR: "/nonexistent/scantail-tests-must-set-their-own" },
  },
});
