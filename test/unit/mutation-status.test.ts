import { afterEach, describe, expect, it, vi } from "vitest";
import type { FeedStatus } from "../../src/feed/open-feed.js";
import { plainChalk } from "../../src/format/color.js";
import { type StatusOptions, StatusReporter } from "../../src/run/status.js";
import { makeContext, type TestContext } from "../helpers/context.js";

/*
 * The status lines on stderr, exactly as a person (terminal) or a script (pipe) sees
 * them: which lines a pipe gets, what -q and -v change, the invalid-frame rate limit and
 * the quiet-feed reminder (README "Watching and filtering", docs/live-feed.md).
 */

const URL = "ws://127.0.0.1:9/latest/";

function reporter(
  options: Partial<Omit<StatusOptions, "ctx" | "chalk">> & { tty?: boolean; now?: () => number },
): { status: StatusReporter; ctx: TestContext } {
  const { tty, now, ...rest } = options;
  const ctx = makeContext({ stderrTTY: tty ?? false, now: now ?? (() => 0) });
  const status = new StatusReporter({
    ctx,
    chalk: plainChalk,
    verbose: false,
    live: true,
    ...rest,
  });
  return { status, ctx };
}

const reconnecting = (over: Partial<FeedStatus & { type: "reconnecting" }> = {}): FeedStatus => ({
  type: "reconnecting",
  delayMs: 500,
  attempt: 1,
  reason: "connection lost",
  routine: false,
  ...over,
});

describe("feed status lines", () => {
  // [status, pipe (not verbose), pipe -v, terminal, -q on a terminal, -q -v]
  const cases: Array<[string, FeedStatus, string, string, string, string, string]> = [
    [
      "a reconnect after a failure: shown on a pipe too",
      reconnecting(),
      "scantail: connection lost; reconnecting in 500ms\n",
      "scantail: connection lost; reconnecting in 500ms\n",
      "scantail: connection lost; reconnecting in 500ms\n",
      "",
      "",
    ],
    [
      "a routine reconnect (1001): only for people",
      reconnecting({ routine: true, delayMs: 0, reason: "going away" }),
      "",
      "scantail: going away; reconnecting now\n",
      "scantail: going away; reconnecting now\n",
      "",
      "",
    ],
    [
      "a failed attempt, with the attempt number and --max-retries",
      {
        type: "retrying",
        delayMs: 2000,
        attempt: 3,
        maxAttempts: 5,
        reason: "handshake refused (500)",
      },
      "scantail: handshake refused (500); retrying in 2.0s (attempt 3 of 5)\n",
      "scantail: handshake refused (500); retrying in 2.0s (attempt 3 of 5)\n",
      "scantail: handshake refused (500); retrying in 2.0s (attempt 3 of 5)\n",
      "",
      "",
    ],
    [
      "a second attempt without --max-retries",
      { type: "retrying", delayMs: 1000, attempt: 2, reason: "refused" },
      "scantail: refused; retrying in 1.0s (attempt 2)\n",
      "scantail: refused; retrying in 1.0s (attempt 2)\n",
      "scantail: refused; retrying in 1.0s (attempt 2)\n",
      "",
      "",
    ],
    [
      "a warning from the feed: shown everywhere, also with -q",
      { type: "warning", message: "token expires in 2m" },
      "scantail: warning: token expires in 2m\n",
      "scantail: warning: token expires in 2m\n",
      "scantail: warning: token expires in 2m\n",
      "scantail: warning: token expires in 2m\n",
      "scantail: warning: token expires in 2m\n",
    ],
    [
      "connected",
      { type: "connected", url: URL, reconnected: false },
      "",
      `scantail: connected to ${URL}\n`,
      `scantail: connected to ${URL}\n`,
      "",
      "",
    ],
    [
      "reconnected",
      { type: "connected", url: URL, reconnected: true },
      "",
      "scantail: reconnected\n",
      "scantail: reconnected\n",
      "",
      "",
    ],
    [
      "renewed",
      { type: "renewed", url: URL },
      "",
      "scantail: renewed the connection before the 2-hour limit\n",
      "scantail: renewed the connection before the 2-hour limit\n",
      "",
      "",
    ],
    [
      "refreshing the token",
      { type: "refreshing", reason: "the token was refused; signing in again" },
      "",
      "scantail: the token was refused; signing in again\n",
      "scantail: the token was refused; signing in again\n",
      "",
      "",
    ],
    [
      "connecting again after a reconnect: verbose only",
      { type: "connecting", url: URL, attempt: 2, reconnect: true },
      "",
      `scantail: connecting to ${URL} (attempt 2)\n`,
      "",
      "",
      "",
    ],
    [
      "the first attempt of a reconnect: verbose only, no attempt number",
      { type: "connecting", url: URL, attempt: 1, reconnect: true },
      "",
      `scantail: connecting to ${URL}\n`,
      "",
      "",
      "",
    ],
    [
      "the first connection on a pipe: verbose only",
      { type: "connecting", url: URL, attempt: 1, reconnect: false, maxAttempts: 4 } as FeedStatus,
      "",
      `scantail: connecting to ${URL}\n`,
      // On a terminal a spinner shows it (below).
      "",
      "",
      "",
    ],
  ];
  it.each(cases)("%s", async (_name, feed, pipe, pipeVerbose, terminal, quiet, quietVerbose) => {
    const seen = (options: Parameters<typeof reporter>[0]) => {
      const { status, ctx } = reporter({ ...options, live: false });
      if (feed.type === "connecting" && options.tty) {
        // The terminal's first connection is a spinner: compare the lines, not the frames.
        return "";
      }
      status.feed(feed);
      status.close();
      return ctx.stderr.text;
    };
    expect(seen({})).toBe(pipe);
    expect(seen({ verbose: true })).toBe(pipeVerbose);
    expect(seen({ tty: true })).toBe(terminal);
    expect(seen({ tty: true, quiet: true })).toBe(quiet);
    expect(seen({ quiet: true, verbose: true })).toBe(quietVerbose);
  });

  it("a full-screen view on the terminal gets problems only, unless -v", () => {
    const lines = (verbose: boolean) => {
      const { status, ctx } = reporter({ tty: true, quietTerminal: true, verbose, live: false });
      status.feed({ type: "connected", url: URL, reconnected: false });
      status.feed(reconnecting());
      status.info("note");
      status.close();
      return ctx.stderr.text;
    };
    expect(lines(false)).toBe("scantail: connection lost; reconnecting in 500ms\n");
    expect(lines(true)).toBe(
      `scantail: connected to ${URL}\nscantail: connection lost; reconnecting in 500ms\nscantail: note\n`,
    );
  });

  it("the first connection on a terminal shows a spinner until connected", async () => {
    const { status, ctx } = reporter({ tty: true });
    status.feed({ type: "connecting", url: URL, attempt: 1, reconnect: false });
    await ctx.stderr.waitFor((t) => t.includes(`connecting to ${URL}`));
    status.feed({ type: "connected", url: URL, reconnected: false });
    status.close();
    expect(ctx.stderr.text.endsWith(`scantail: connected to ${URL}\n`)).toBe(true);
  });

  it.each([
    ["-q", { tty: true, quiet: true }],
    ["a full-screen view", { tty: true, quietTerminal: true }],
    ["a pipe", { tty: false }],
  ])("no spinner with %s", async (_name, options) => {
    const { status, ctx } = reporter(options);
    status.feed({ type: "connecting", url: URL, attempt: 1, reconnect: false });
    // The spinner module loads asynchronously: let that finish before looking.
    await import("ora");
    await new Promise((resolve) => setImmediate(resolve));
    status.close();
    expect(ctx.stderr.text).toBe("");
  });

  it.each([
    ["a reconnect's first attempt", { attempt: 1, reconnect: true }],
    ["a retry of the first connection", { attempt: 2, reconnect: false }],
  ])("no spinner for %s: it is a verbose note", async (_name, over) => {
    for (const verbose of [false, true]) {
      const { status, ctx } = reporter({ tty: true, verbose });
      status.feed({ type: "connecting", url: URL, ...over });
      await import("ora");
      await new Promise((resolve) => setImmediate(resolve));
      status.close();
      const note = `scantail: connecting to ${URL}${over.attempt > 1 ? " (attempt 2)" : ""}\n`;
      expect(ctx.stderr.text).toBe(verbose ? note : "");
    }
  });

  it("a spinner that loads after the connection opened never appears", async () => {
    const { status, ctx } = reporter({ tty: true });
    status.feed({ type: "connecting", url: URL, attempt: 1, reconnect: false });
    status.feed({ type: "connected", url: URL, reconnected: false });
    await import("ora");
    await new Promise((resolve) => setImmediate(resolve));
    status.close();
    expect(ctx.stderr.text).toBe(`scantail: connected to ${URL}\n`);
  });

  it("verbose notes need -v and are silenced by -q", () => {
    const text = (options: Parameters<typeof reporter>[0]) => {
      const { status, ctx } = reporter(options);
      status.verbose("page 1: 100 events");
      status.info("waiting for the --tee reader");
      status.warn("gap not filled");
      return ctx.stderr.text;
    };
    expect(text({})).toBe("scantail: warning: gap not filled\n");
    expect(text({ verbose: true })).toBe(
      "scantail: page 1: 100 events\nscantail: waiting for the --tee reader\nscantail: warning: gap not filled\n",
    );
    expect(text({ tty: true })).toBe(
      "scantail: waiting for the --tee reader\nscantail: warning: gap not filled\n",
    );
    expect(text({ tty: true, quiet: true, verbose: true })).toBe(
      "scantail: warning: gap not filled\n",
    );
  });

  it("a line of kind always is shown with -q on a pipe", () => {
    const { status, ctx } = reporter({ quiet: true });
    status.line("scantail: 3 events", "always");
    status.line("scantail: status", "status");
    status.line("scantail: info");
    expect(ctx.stderr.text).toBe("scantail: 3 events\n");
  });
});

describe("invalid frames are rate-limited: 5 per 10 s, then a count", () => {
  it("a live feed counts frames; a recording counts lines", () => {
    for (const live of [true, false]) {
      const { status, ctx } = reporter({ live });
      for (let i = 1; i <= 8; i++) status.invalid(`bad ${i}`, live ? undefined : i);
      status.close();
      const what = live ? "frames" : "lines";
      const shown = [1, 2, 3, 4, 5].map((i) =>
        live
          ? `scantail: warning: ignored frame: bad ${i}`
          : `scantail: warning: line ${i}: bad ${i}`,
      );
      expect(ctx.stderr.lines).toEqual([
        ...shown,
        `scantail: warning: 3 more invalid ${what} ignored`,
      ]);
    }
  });

  it("a new window starts only after 10 s have passed, and says what the last one hid", () => {
    let clock = 1_700_000_000_000;
    const { status, ctx } = reporter({ now: () => clock });
    for (let i = 1; i <= 6; i++) status.invalid(`a${i}`);
    clock += 10_000; // still the same window
    status.invalid("a7");
    clock += 1; // 10 001 ms after the window opened
    status.invalid("b1");
    status.invalid("b2");
    status.close();
    expect(ctx.stderr.lines).toEqual([
      "scantail: warning: ignored frame: a1",
      "scantail: warning: ignored frame: a2",
      "scantail: warning: ignored frame: a3",
      "scantail: warning: ignored frame: a4",
      "scantail: warning: ignored frame: a5",
      "scantail: warning: 2 more invalid frames ignored",
      "scantail: warning: ignored frame: b1",
      "scantail: warning: ignored frame: b2",
    ]);
  });

  it("line 0 is a line number too; nothing to flush says nothing", () => {
    const { status, ctx } = reporter({ live: false });
    status.invalid("empty", 0);
    status.flushInvalid();
    status.close();
    expect(ctx.stderr.text).toBe("scantail: warning: line 0: empty\n");
  });

  it("the count is still printed with -q", () => {
    const { status, ctx } = reporter({ quiet: true });
    for (let i = 0; i < 6; i++) status.invalid("x");
    status.close();
    expect(ctx.stderr.lines.at(-1)).toBe("scantail: warning: 1 more invalid frames ignored");
  });
});

describe("the quiet-feed reminder on a terminal", () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  /** A terminal reporter whose timers and clock move only when the test says so. */
  function quietReporter(options: Partial<StatusOptions> & { tty?: boolean } = {}) {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval", "Date"], now: 1_000_000 });
    const made = reporter({ tty: true, now: () => Date.now(), ...options });
    const notes = () => made.ctx.stderr.lines.filter((l) => !l.includes("connected to"));
    return { ...made, notes };
  }
  const connected: FeedStatus = { type: "connected", url: URL, reconnected: false };

  it("says no event yet after a quiet minute, and again each minute", () => {
    const { status, notes } = quietReporter();
    status.feed(connected);
    vi.advanceTimersByTime(59_999);
    expect(notes()).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(notes()).toEqual(["scantail: connected, no event yet (1m)"]);
    vi.advanceTimersByTime(50_000);
    expect(notes()).toHaveLength(1);
    vi.advanceTimersByTime(10_000);
    expect(notes()).toEqual([
      "scantail: connected, no event yet (1m)",
      "scantail: connected, no event yet (2m)",
    ]);
    status.close();
    vi.advanceTimersByTime(600_000);
    expect(notes()).toHaveLength(2);
  });

  it("says when the last event was", () => {
    const { status, notes } = quietReporter();
    status.feed(connected);
    vi.advanceTimersByTime(30_000);
    status.sawEvent();
    vi.advanceTimersByTime(50_000);
    expect(notes()).toEqual([]);
    vi.advanceTimersByTime(10_000);
    expect(notes()).toEqual(["scantail: connected, last event 1m ago"]);
    vi.advanceTimersByTime(180_000);
    expect(notes()).toEqual([
      "scantail: connected, last event 1m ago",
      "scantail: connected, last event 2m ago",
      "scantail: connected, last event 3m ago",
      "scantail: connected, last event 4m ago",
    ]);
    status.close();
  });

  it("blames the filters while events arrive that none of them keeps", () => {
    const { status, notes } = quietReporter();
    status.feed(connected);
    vi.advanceTimersByTime(30_000);
    status.sawFiltered();
    vi.advanceTimersByTime(30_000);
    expect(notes()).toEqual([
      "scantail: events arrive, but none matches the filters (1m); check the filter options",
    ]);
    status.sawEvent();
    vi.advanceTimersByTime(50_000);
    status.sawFiltered();
    vi.advanceTimersByTime(9_999);
    expect(notes()).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(notes().at(-1)).toBe("scantail: events arrive, but none has matched the filters for 1m");
    // A filtered event a whole quiet period ago no longer counts: the feed is quiet.
    vi.advanceTimersByTime(60_000);
    expect(notes().at(-1)).toBe("scantail: connected, last event 2m ago");
    status.close();
  });

  it("checks every 10 s at most, so a shorter quiet period is noted on time", () => {
    const { status, notes } = quietReporter({ quietAfterMs: 25_000 });
    status.feed(connected);
    vi.advanceTimersByTime(29_999);
    expect(notes()).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(notes()).toEqual(["scantail: connected, no event yet (30s)"]);
    status.close();
  });

  it("checks as often as a very short quiet period needs", () => {
    const { status, notes } = quietReporter({ quietAfterMs: 300 });
    status.feed(connected);
    vi.advanceTimersByTime(300);
    expect(notes()).toEqual(["scantail: connected, no event yet (300ms)"]);
    status.close();
  });

  it("says nothing while disconnected, and counts from the reconnect", () => {
    const { status, notes } = quietReporter();
    status.feed(connected);
    vi.advanceTimersByTime(10_000);
    status.feed(reconnecting());
    vi.advanceTimersByTime(120_000);
    expect(notes()).toEqual(["scantail: connection lost; reconnecting in 500ms"]);
    status.feed({ type: "connected", url: URL, reconnected: true });
    vi.advanceTimersByTime(50_000);
    expect(notes()).toHaveLength(2);
    vi.advanceTimersByTime(10_000);
    expect(notes().at(-1)).toBe("scantail: connected, no event yet (1m)");
    status.close();
    // One reminder timer however often the feed reconnects, and none after the end.
    vi.advanceTimersByTime(600_000);
    expect(notes()).toHaveLength(3);
  });

  it("an event filtered out a whole quiet period ago no longer blames the filters", () => {
    const { status, notes } = quietReporter();
    status.feed(connected);
    status.sawFiltered();
    vi.advanceTimersByTime(60_000);
    expect(notes()).toEqual(["scantail: connected, no event yet (1m)"]);
    status.close();
  });

  it.each([
    ["a replay", { live: false }],
    ["a pipe", { tty: false }],
    ["-q", { quiet: true }],
  ])("%s gets no reminder", (_name, options) => {
    const { status, ctx } = quietReporter(options);
    status.feed(connected);
    vi.advanceTimersByTime(600_000);
    status.close();
    expect(ctx.stderr.lines.filter((l) => l.includes("event"))).toEqual([]);
  });

  it("a source that turns out to be a recording gets no reminder", () => {
    const { status, notes } = quietReporter();
    status.setLive(false);
    status.feed(connected);
    vi.advanceTimersByTime(600_000);
    status.close();
    expect(notes()).toEqual([]);
  });
});
