import { spawn } from "node:child_process";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { event, startTestServer, type TestServer } from "../helpers/ws-server.js";

/*
 * The classification worker only runs from the built bundle; these tests run the binary
 * with it forced on (every batch) and off, and require identical output.
 */
const BIN = join(import.meta.dirname, "../../bin/scantail.js");
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function run(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: {
        ...process.env,
        SCANTAIL_TOKEN: "t-123456",
        SCANTAIL_CONFIG_DIR: "/nonexistent",
        ...env,
      },
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("exit", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("the classification worker", () => {
  it("gives exactly the in-thread result: duplicates, invalid frames, filters, projection", async () => {
    const events = Array.from({ length: 3000 }, (_, i) =>
      event({
        device_serial: i % 3 ? "KEEP-1" : "DROP-2",
        scan_code: i % 7 ? `C${i}` : `条码\u001d${i}`,
      }),
    );
    server = await startTestServer({
      onConnection: (ws) => {
        events.forEach((e, i) => {
          ws.send(i % 10 === 0 ? JSON.stringify(e, null, 1) : JSON.stringify(e));
          if (i % 97 === 0) ws.send("garbage");
          if (i % 101 === 0) ws.send(Buffer.from([1, 2]), { binary: true });
          if (i % 50 === 0 && i > 0) ws.send(JSON.stringify(events[i - 1])); // duplicate
        });
        ws.close(1000, "done");
      },
    });
    const expectedShown = events.filter((e) => e.device_serial === "KEEP-1").length;
    for (const extra of [[], ["--fields", "event_id,scan_code"]]) {
      // The server sends everything and closes; --no-reconnect makes that the end (exit 1),
      // so both runs see every frame and their summaries can be compared whole.
      const args = [
        "--url",
        server.url,
        "-o",
        "ndjson",
        "-s",
        "keep-*",
        "--no-reconnect",
        "--summary",
        ...extra,
      ];
      const withWorker = await run(args, { SCANTAIL_WORKER_MIN_BATCH: "1" });
      const without = await run(args, { SCANTAIL_WORKER: "0" });
      expect(withWorker.code, withWorker.stderr).toBe(1);
      expect(without.code).toBe(1);
      const a = withWorker.stdout.split("\n");
      const b = without.stdout.split("\n");
      const firstDiff = a.findIndex((line, i) => line !== b[i]);
      expect(firstDiff, `line ${firstDiff}:\n${a[firstDiff]}\n${b[firstDiff]}`).toBe(-1);
      expect(a.length).toBe(b.length);
      expect(withWorker.stdout.trim().split("\n")).toHaveLength(expectedShown);
      const summary = (s: string) =>
        s
          .split("\n")
          .find((l) => l.includes(" received,"))
          ?.replace(/ in .*$/, "");
      expect(summary(withWorker.stderr)).toBe(summary(without.stderr));
    }
  });
});
