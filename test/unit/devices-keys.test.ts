import { afterEach, describe, expect, it } from "vitest";
import { makeContext, startCli, type TestContext } from "../helpers/context.js";

/*
 * The devices view reads keys (q quits) in raw mode, only when stdin and stdout are
 * terminals, and always gives the terminal back its mode. stdin here is a stream that
 * says it is a terminal and records the raw-mode switches.
 */
function terminalContext(stdinTTY = true): TestContext & { rawModes: boolean[] } {
  const ctx = makeContext({ stdoutTTY: true, columns: 100, rows: 20 });
  const rawModes: boolean[] = [];
  Object.assign(ctx.stdinStream, {
    isTTY: stdinTTY,
    setRawMode: (mode: boolean) => rawModes.push(mode),
  });
  return Object.assign(ctx, { rawModes });
}

const contexts: TestContext[] = [];
afterEach(() => {
  for (const ctx of contexts.splice(0)) ctx.cleanup();
});
const demo = (ctx: TestContext, ...extra: string[]) => {
  contexts.push(ctx);
  return startCli(["demo", "--rate", "200", "--devices", "3", "--seed", "1", ...extra], ctx);
};
const viewShown = (ctx: TestContext) => ctx.stdout.waitFor((t) => t.includes("scantail devices"));

describe("keys in the devices view", () => {
  it("q ends the view normally: exit 0, final table, raw mode off again", async () => {
    const ctx = terminalContext();
    const { done } = demo(ctx, "-o", "devices");
    await viewShown(ctx);
    expect(ctx.rawModes).toEqual([true]);
    ctx.stdinStream.write("q");
    const result = await done;
    expect(result.code).toBe(0);
    expect(ctx.rawModes).toEqual([true, false]);
    expect(result.stdout).toMatch(/\u001b\[\?1049l[\s\S]*SERIAL/);
  });

  it("Ctrl-C arrives as a byte in raw mode: exit 130, raw mode off again", async () => {
    const ctx = terminalContext();
    const { done } = demo(ctx, "-o", "devices");
    await viewShown(ctx);
    ctx.stdinStream.write("\u0003");
    expect((await done).code).toBe(130);
    expect(ctx.rawModes).toEqual([true, false]);
  });

  it("a run that fails gives the terminal its mode back too", async () => {
    const ctx = terminalContext();
    const { done } = demo(ctx, "-o", "devices", "--reject", "401");
    const result = await done;
    expect(result.code).not.toBe(0);
    expect(ctx.rawModes).toEqual([true, false]);
  });

  it("leaves stdin alone for line formats and when stdin is not a terminal", async () => {
    const table = terminalContext();
    const first = demo(table, "-o", "table", "-n", "3");
    expect((await first.done).code).toBe(0);
    expect(table.rawModes).toEqual([]);
    const piped = terminalContext(false);
    const second = demo(piped, "-o", "devices", "-n", "3");
    expect((await second.done).code).toBe(0);
    expect(piped.rawModes).toEqual([]);
  });
});
