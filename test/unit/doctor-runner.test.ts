import { describe, expect, it } from "vitest";
import {
  type CheckResult,
  type DoctorCheck,
  type DoctorRun,
  runChecks,
} from "../../src/doctor/check.js";
import { AuthError, EXIT, exitCodeForSignal } from "../../src/errors.js";
import { makeContext } from "../helpers/context.js";

const ok = (name: string): DoctorCheck => ({
  name,
  run: async () => [{ name, state: "ok", detail: "fine" }],
});
const run = (ctx = makeContext()): DoctorRun => ({
  ctx,
  flags: {},
  profileName: "default",
  waitMs: 1000,
  facts: { profile: {}, early: [] },
});
async function walk(checks: DoctorCheck[], ctx = makeContext()) {
  const lines: CheckResult[] = [];
  const code = await runChecks(checks, run(ctx), (r) => lines.push(r));
  return { code, lines: lines.map((l) => `${l.state} ${l.name}: ${l.detail}`) };
}

describe("exitCodeForSignal", () => {
  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
    [undefined, 130],
  ] as const)("%s → %d", (name, code) => {
    expect(exitCodeForSignal(name)).toBe(code);
  });
});

describe("runChecks", () => {
  it("a new check is one entry in the list; all ok → 0", async () => {
    const rest: DoctorCheck = {
      name: "rest",
      run: async () => [{ name: "rest", state: "ok", detail: "200 in 12ms" }],
    };
    expect(await walk([ok("config"), rest, ok("limits")])).toEqual({
      code: 0,
      lines: ["ok config: fine", "ok rest: 200 in 12ms", "ok limits: fine"],
    });
  });

  it("stops at the first failure with its exit class", async () => {
    const refused: DoctorCheck = {
      name: "handshake",
      run: async () => [{ name: "handshake", state: "fail", detail: "HTTP 401", exitCode: 3 }],
    };
    expect(await walk([ok("config"), refused, ok("first event")])).toEqual({
      code: 3,
      lines: ["ok config: fine", "fail handshake: HTTP 401"],
    });
  });

  it("a check that throws fails with the error's message and class", async () => {
    const throwing: DoctorCheck = {
      name: "token",
      run: async () => {
        throw new AuthError("not signed in");
      },
    };
    expect(await walk([throwing])).toEqual({ code: 3, lines: ["fail token: not signed in"] });
  });

  it.each([
    ["SIGINT", EXIT.sigint],
    ["SIGTERM", EXIT.sigterm],
  ] as const)("%s while a check hangs: reported as interrupted, exit %d", async (signal, code) => {
    const ctx = makeContext();
    const hanging: DoctorCheck = {
      name: "dns",
      run: () => {
        queueMicrotask(() => ctx.abort(signal));
        return new Promise(() => {});
      },
    };
    expect(await walk([ok("config"), hanging, ok("tls")], ctx)).toEqual({
      code,
      lines: ["ok config: fine", "fail dns: interrupted"],
    });
  });
});
