import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const BIN = join(ROOT, "bin/scantail.js");
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8"));

describe("bin/scantail.js", () => {
  it("answers --version and -V with package.json's version", () => {
    for (const flag of ["--version", "-V"]) {
      const r = spawnSync(process.execPath, [BIN, flag], { encoding: "utf8" });
      expect([r.status, r.stdout, r.stderr]).toEqual([0, `${pkg.version}\n`, ""]);
    }
  });

  it("says nothing when the reader of --version has gone (EPIPE)", () => {
    // The reader (true) has exited before scantail writes: a broken pipe.
    const r = spawnSync(
      "bash",
      ["-c", `{ sleep 0.3; "${process.execPath}" "${BIN}" --version; echo "exit $?" >&2; } | true`],
      { encoding: "utf8" },
    );
    expect(r.stderr).toBe("exit 0\n");
  });
});
