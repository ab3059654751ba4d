import { type FeedOptions, openFeed } from "../feed/open-feed.js";
import type { Origin, Source } from "./source.js";

/**
 * The live feed as a source: the transport's frames and status items, each stamped with
 * its origin. Ends when `stop` aborts (or throws the transport's typed error).
 */
export function openLive(options: Omit<FeedOptions, "signal">, profile?: string): Source {
  const origin: Origin = { source: "live", profile };
  return {
    origin,
    live: true,
    async *items(stop) {
      for await (const chunk of openFeed({ ...options, signal: stop })) {
        if (chunk.kind === "frames") yield { kind: "frames", origin, frames: chunk.frames };
        else yield { kind: "status", origin, status: chunk.status };
      }
    },
  };
}
