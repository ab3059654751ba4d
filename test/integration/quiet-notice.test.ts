import { describe, expect, it } from "vitest";
import { makeContext, runCli } from "../helpers/context.js";
import { event, startTestServer } from "../helpers/ws-server.js";

/* A mistyped filter must not be blamed on the feed: the quiet note says events arrive. */
describe("the quiet-feed note on a terminal", () => {
  it("says events arrive but none matches the filters, when that is so", async () => {
    const server = await startTestServer({
      onConnection: (ws) => {
        const timer = setInterval(
          () => ws.send(JSON.stringify(event({ device_serial: "OTHER" }))),
          50,
        );
        ws.on("close", () => clearInterval(timer));
      },
    });
    const ctx = makeContext({
      env: { SCANTAIL_TOKEN: "t", SCANTAIL_QUIET_AFTER_MS: "300" },
      stderrTTY: true,
    });
    const r = await runCli(
      ["--url", server.url, "-o", "ndjson", "-s", "M2SR9999", "--timeout", "1500ms"],
      ctx,
    );
    await server.close();
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/events arrive, but none matches the filters/);
    expect(r.stderr).not.toMatch(/no event yet/);
  });

  it("says no event yet when nothing arrives at all", async () => {
    const server = await startTestServer();
    const ctx = makeContext({
      env: { SCANTAIL_TOKEN: "t", SCANTAIL_QUIET_AFTER_MS: "300" },
      stderrTTY: true,
    });
    const r = await runCli(["--url", server.url, "-o", "ndjson", "--timeout", "1s"], ctx);
    await server.close();
    expect(r.stderr).toMatch(/connected, no event yet/);
    expect(r.stderr).not.toMatch(/none matches the filters/);
  });
});
