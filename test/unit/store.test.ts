import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigStore } from "../../src/config/store.js";

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));
const store = () => {
  dir = mkdtempSync(join(tmpdir(), "scantail-store-unit-"));
  return new ConfigStore({ SCANTAIL_CONFIG_DIR: dir });
};

describe("the store keeps profile names as data", () => {
  it("__proto__ is an own key: stored, read back, and no other profile changes", async () => {
    const s = store();
    await s.update("default", (p) => ({ ...p, customer: "d" }));
    await s.update("__proto__", (p) => ({ ...p, customer: "evil" }));
    expect(await s.profile("__proto__")).toEqual({ customer: "evil" });
    expect(await s.profile("default")).toEqual({ customer: "d" });
    expect(await s.profile("other")).toEqual({});
    const raw = JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));
    expect(Object.hasOwn(raw.profiles, "__proto__")).toBe(true);
  });

  it.each(["constructor", "toString", "hasOwnProperty", "valueOf"])(
    "an absent %s profile reads as empty, not as Object's member",
    async (name) => {
      const s = store();
      await s.update("default", (p) => ({ ...p, customer: "d" }));
      expect(await s.profile(name)).toEqual({});
    },
  );
});
