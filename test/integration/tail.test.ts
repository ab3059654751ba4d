import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { MemoryStream, makeContext, runCli, startCli } from "../helpers/context.js";
import { event, startTestServer, type TestServer } from "../helpers/ws-server.js";

const TOKEN = "test-token-abcdef123456";
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const ctxWith = (env: Record<string, string> = {}, extra: Parameters<typeof makeContext>[0] = {}) =>
  makeContext({ env: { SCANTAIL_TOKEN: TOKEN, ...env }, ...extra });

describe("tail against a real ws server", () => {
  it("writes exactly the events as NDJSON and reports every other frame on stderr", async () => {
    const events = [event(), event({ future_field: [1, { a: "b" }] }), event()];
    server = await startTestServer({
      onConnection: (ws) => {
        ws.send(JSON.stringify(events[0]));
        ws.send("Internal server error");
        ws.send('{"message":"Forbidden","connectionId":"abc","requestId":"def"}');
        ws.send("[1,2,3]");
        ws.send(Buffer.from([0xde, 0xad]), { binary: true });
        ws.send(JSON.stringify(events[1], null, 2)); // pretty-printed by a server: re-serialised
        ws.send(JSON.stringify(events[2]));
      },
    });
    const { code, stdout, stderr } = await runCli(
      ["--url", server.url, "--customer", "cust-1", "-o", "ndjson", "-n", "3"],
      ctxWith(),
    );
    expect(code).toBe(0);
    const lines = stdout.split("\n");
    expect(lines.pop()).toBe("");
    expect(lines.map((l) => JSON.parse(l))).toEqual(events);
    expect(lines[1]).toBe(JSON.stringify(events[1]));
    expect(stderr).toMatch(/not JSON: Internal server error/);
    expect(stderr).toMatch(/message from the server: Forbidden/);
    expect(stderr).toMatch(/an array/);
    expect(stderr).toMatch(/binary frame \(2 bytes\)/);
    // The handshake carried the token and customer as query parameters.
    const query = new URL(server.requests[0]!, "ws://x").searchParams;
    expect(query.get("token")).toBe(TOKEN);
    expect(query.get("customer")).toBe("cust-1");
    expect(stderr).not.toContain(TOKEN);
  });

  it("rate-limits a flood of invalid frames on stderr", async () => {
    server = await startTestServer({
      onConnection: (ws) => {
        for (let i = 0; i < 500; i++) ws.send(`garbage ${i}`);
        ws.send(JSON.stringify(event()));
      },
    });
    const { code, stdout, stderr } = await runCli(
      ["--url", server.url, "-n", "1", "--summary"],
      ctxWith(),
    );
    expect(code).toBe(0);
    expect(stdout.split("\n").filter(Boolean)).toHaveLength(1);
    const warnings = stderr.split("\n").filter((l) => l.includes("warning"));
    expect(warnings.length).toBeLessThanOrEqual(6);
    expect(stderr).toMatch(/495 more invalid frames ignored/);
    expect(stderr).toMatch(/501 received, 1 shown/);
    expect(stderr).toMatch(/500 invalid/);
  });

  it("--timeout without --count ends with 0, with an unmet --count with 124", async () => {
    server = await startTestServer({ onConnection: (ws) => ws.send(JSON.stringify(event())) });
    const a = await runCli(["--url", server.url, "--timeout", "300ms"], ctxWith());
    expect(a.code).toBe(0);
    expect(a.stdout.split("\n").filter(Boolean)).toHaveLength(1);
    const b = await runCli(["--url", server.url, "--timeout", "300ms", "-n", "5"], ctxWith());
    expect(b.code).toBe(124);
  });

  it("--tee appends every matching event as NDJSON, also with pretty output", async () => {
    const events = [
      event({ device_serial: "KEEP1" }),
      event({ device_serial: "DROP" }),
      event({ device_serial: "KEEP2" }),
    ];
    server = await startTestServer({
      onConnection: (ws) => {
        for (const e of events) ws.send(JSON.stringify(e));
      },
    });
    const ctx = ctxWith();
    const tee = join(ctx.configDir, "tee.ndjson");
    writeFileSync(tee, '{"event_id":"old"}\n');
    const r = await runCli(
      ["--url", server.url, "-o", "pretty", "-s", "keep*", "-n", "2", "--tee", tee],
      ctx,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("KEEP1");
    expect(r.stdout).not.toContain("DROP");
    const lines = readFileSync(tee, "utf8").trim().split("\n");
    expect(lines).toEqual([
      '{"event_id":"old"}',
      JSON.stringify(events[0]),
      JSON.stringify(events[2]),
    ]);
  });

  it("multi-value filters take repeated flags and commas", async () => {
    const events = ["A1", "B2", "C3", "D4", "E5"].map((device_serial) => event({ device_serial }));
    server = await startTestServer({
      onConnection: (ws) => {
        for (const e of events) ws.send(JSON.stringify(e));
      },
    });
    const r = await runCli(
      ["--url", server.url, "-s", "a1", "-s", "b2", "-s", "c3,e5", "-n", "4"],
      ctxWith(),
    );
    expect(r.code).toBe(0);
    expect(
      r.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l).device_serial),
    ).toEqual(["A1", "B2", "C3", "E5"]);
  });

  it("--tee gets whole events even when stdout gets --fields projections", async () => {
    const events = [event({ device_serial: "P1" }), event({ device_serial: "P2" })];
    server = await startTestServer({
      onConnection: (ws) => {
        ws.send(JSON.stringify(events[0], null, 2)); // not compact: re-serialised for the tee
        ws.send(JSON.stringify(events[1]));
      },
    });
    const ctx = ctxWith();
    const tee = join(ctx.configDir, "tee.ndjson");
    const r = await runCli(
      ["--url", server.url, "-o", "ndjson", "--fields", "device_serial", "-n", "2", "--tee", tee],
      ctx,
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('{"device_serial":"P1"}\n{"device_serial":"P2"}\n');
    expect(readFileSync(tee, "utf8")).toBe(
      `${JSON.stringify(events[0])}\n${JSON.stringify(events[1])}\n`,
    );
  });

  it("a --tee file that cannot be written fails before connecting (exit 2)", async () => {
    const r = await runCli(
      ["--url", "ws://127.0.0.1:1/latest/", "--tee", "/nonexistent-dir/x.ndjson"],
      ctxWith(),
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/cannot append to --tee file/);
  });

  it("a closed stdout (EPIPE) ends quietly with exit 0", async () => {
    server = await startTestServer({
      onConnection: (ws) => {
        for (let i = 0; i < 50; i++) ws.send(JSON.stringify(event()));
      },
    });
    const stdout = new MemoryStream();
    let writes = 0;
    stdout._write = (_chunk, _enc, callback) => {
      writes++;
      const error = Object.assign(new Error("write EPIPE"), { code: "EPIPE" });
      callback(error);
    };
    const ctx = ctxWith({}, { stdout });
    const r = await runCli(["--url", server.url], ctx);
    expect(r.code).toBe(0);
    expect(writes).toBeGreaterThan(0);
    expect(r.stderr).not.toMatch(/EPIPE|error/i);
  });

  it.each([
    ["SIGINT", 130],
    ["SIGTERM", 143],
  ] as const)(
    "%s closes the socket cleanly, prints the summary and exits %d",
    async (signal, exit) => {
      let resolveClose!: (code: number) => void;
      const closeCode = new Promise<number>((resolve) => {
        resolveClose = resolve;
      });
      server = await startTestServer({
        onConnection: (ws) => {
          ws.send(JSON.stringify(event()));
          ws.on("close", (code) => resolveClose(code));
        },
      });
      const { done, ctx } = startCli(["--url", server.url, "--summary"], ctxWith());
      await ctx.stdout.waitFor((t) => t.includes("event_id"));
      ctx.abort(signal);
      const r = await done;
      expect(r.code).toBe(exit);
      expect(r.stderr).toMatch(/1 received, 1 shown, 0 filtered out, 0 invalid/);
      expect(await closeCode).toBe(1000);
    },
  );

  it("--no-reconnect exits 1 when the server closes the connection", async () => {
    server = await startTestServer({ onConnection: (ws) => ws.close(1011, "boom") });
    const r = await runCli(["--url", server.url, "--no-reconnect"], ctxWith());
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/connection ended: closed by server \(1011 server error "boom"\)/);
  });
});

describe("tail refuses bad input before any I/O", () => {
  it.each([
    [["--url", "ws://example.com/latest/"], /refusing unencrypted ws:\/\/ to example.com/],
    [["--url", "https://example.com/"], /not a WebSocket URL/],
    [["--url", "wss://x.example/latest/?token=abc"], /must not contain token=/],
    [
      ["--url", "ws://127.0.0.1:1/", "-o", "xml"],
      /unknown format "xml" \(from -o\)\n {2}valid formats: pretty, table, ndjson, devices/,
    ],
    [["--url", "ws://127.0.0.1:1/", "--code", "(["], /invalid --code regular expression/],
    [["--url", "ws://127.0.0.1:1/", "-n", "0"], /invalid --count/],
    [["--url", "ws://127.0.0.1:1/", "--timeout", "soon"], /invalid --timeout "soon"/],
    [["--url", "ws://127.0.0.1:1/", "--heartbeat", "5ms"], /--heartbeat must be at least/],
    [["--url", "ws://127.0.0.1:1/", "--renew-after", "3h"], /under 2h/],
    [["--url", "ws://127.0.0.1:1/", "--time", "martian"], /invalid --time/],
    [["--url", "ws://127.0.0.1:1/", "--token-kind", "refresh"], /invalid --token-kind/],
    [["--no-such-flag"], /unknown option '--no-such-flag'/],
    [["--color", "sometimes"], /--color/],
    [["--url", "ws://127.0.0.1:1/", "-o", "devices", "--fields", "x"], /--fields does not apply/],
  ])("%j", async (argv, message) => {
    const r = await runCli(argv as string[], ctxWith());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trim().split("\n").length).toBeLessThanOrEqual(3);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(r.stdout).toBe("");
  });

  it("without a token or login exits 3 and says how to sign in", async () => {
    const r = await runCli(["--url", "ws://127.0.0.1:1/latest/"], makeContext());
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/not signed in/);
    expect(r.stderr).toMatch(/scantail login/);
    expect(r.stderr).toMatch(/SCANTAIL_TOKEN/);
  });

  it("with nothing set up exits 3 and points to login and the demo", async () => {
    const r = await runCli([], makeContext());
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/not signed in/);
    expect(r.stderr).toMatch(/scantail demo/);
  });

  it("without a URL exits 2 and says where to set one", async () => {
    const r = await runCli([], ctxWith());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no live feed URL/);
  });

  it("--verbose says where each value came from and redacts the token", async () => {
    server = await startTestServer({ onConnection: (ws) => ws.send(JSON.stringify(event())) });
    const r = await runCli(
      ["--url", server.url, "-n", "1", "-v"],
      ctxWith({ SCANTAIL_CUSTOMER: "c-env" }),
    );
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/url ws:\/\/127\.0\.0\.1:\d+\/latest\/ \(from flag\)/);
    expect(r.stderr).toMatch(/customer c-env \(from env\)/);
    expect(r.stderr).toMatch(/token from SCANTAIL_TOKEN/);
    expect(r.stderr).not.toContain(TOKEN);
  });
});

describe("demo", () => {
  it("tails the built-in simulator over a real socket", async () => {
    const r = await runCli(
      ["demo", "--rate", "500", "--seed", "3", "-n", "40", "-o", "ndjson"],
      makeContext(),
    );
    expect(r.code).toBe(0);
    const events = r.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(events).toHaveLength(40);
    expect(new Set(events.map((e) => e.event_id)).size).toBe(40);
    for (const e of events) expect(e).toHaveProperty("scan_decode_symbology");
  });

  it("filters by symbology and serial like tail", async () => {
    const r = await runCli(
      ["demo", "--rate", "1000", "--seed", "3", "-n", "10", "-o", "ndjson", "-y", "ean13"],
      makeContext(),
    );
    expect(r.code).toBe(0);
    for (const line of r.stdout.trim().split("\n"))
      expect(JSON.parse(line).scan_decode_symbology).toBe("EAN-13");
  });
});
