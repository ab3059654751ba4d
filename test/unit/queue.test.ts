import { describe, expect, it } from "vitest";
import { FeedQueue } from "../../src/feed/queue.js";

describe("FeedQueue", () => {
  it("coalesces frames into batches, keeps statuses in order, pauses at the high-water mark", async () => {
    const calls: string[] = [];
    const q = new FeedQueue<string, string>(
      4,
      () => calls.push("pause"),
      () => calls.push("resume"),
    );
    q.pushFrame("a");
    q.pushFrame("b");
    q.pushStatus("s1");
    q.pushFrame("c");
    q.pushFrame("d");
    q.pushFrame("e");
    expect(calls).toEqual(["pause"]);
    q.end();
    const got = [];
    for await (const chunk of q) got.push(chunk);
    expect(got).toEqual([
      { kind: "frames", frames: ["a", "b"] },
      { kind: "status", status: "s1" },
      { kind: "frames", frames: ["c", "d", "e"] },
    ]);
    expect(calls).toEqual(["pause", "resume"]);
  });

  it("ends with the failure it was given", async () => {
    const q = new FeedQueue<string, string>(
      10,
      () => {},
      () => {},
    );
    q.end(new Error("boom"));
    await expect(async () => {
      for await (const _ of q) void _;
    }).rejects.toThrow("boom");
  });
});
