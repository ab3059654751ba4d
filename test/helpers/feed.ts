import type { FeedChunk, FeedStatus } from "../../src/feed/open-feed.js";

/** A clock that moves only when the feed sleeps or the test says so: backoff costs no time. */
export function fakeTime() {
  let time = 1_000_000;
  const sleeps: number[] = [];
  return {
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
    sleeps,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      time += ms;
    },
  };
}

/** Reads the feed until `stop` says so or it ends; returns statuses, frame count and error. */
export async function drain(
  feed: AsyncIterable<FeedChunk>,
  stop: (statuses: FeedStatus[], frames: number) => boolean = () => false,
): Promise<{ statuses: FeedStatus[]; frames: number; error?: unknown }> {
  const statuses: FeedStatus[] = [];
  let frames = 0;
  try {
    for await (const chunk of feed) {
      if (chunk.kind === "status") statuses.push(chunk.status);
      else frames += chunk.frames.length;
      if (stop(statuses, frames)) break;
    }
    return { statuses, frames };
  } catch (error) {
    return { statuses, frames, error };
  }
}
