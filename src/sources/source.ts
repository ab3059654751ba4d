import type { Frame } from "../feed/frame.js";
import type { FeedStatus } from "../feed/open-feed.js";

/**
 * Where events come from. Every item carries its origin — which source, which profile —
 * as stern's log lines carry their pod, so merged feeds and per-source reporting need no
 * guessing downstream.
 */
export type SourceKind = "live" | "recording" | "history";

export interface Origin {
  source: SourceKind;
  /** The config profile whose credentials were used (live and history). */
  profile?: string;
}

export type SourceItem =
  | {
      kind: "frames";
      origin: Origin;
      frames: Frame[];
      /** Line numbers of a recording's frames (for reports), when known. */
      lineNumbers?: number[];
      /** Lines a byte pre-scan passed over without decoding: received, and filtered out. */
      skipped?: number;
      /**
       * The frames are lines of a recording that may be ruled out by a cheap text test
       * before decoding (never true for a live feed: a filter must not hide a frame that
       * is not an event).
       */
      textPrecheck?: boolean;
    }
  | { kind: "status"; origin: Origin; status: FeedStatus }
  /** Something the source could not turn into frames at all (an oversized line). */
  | { kind: "problem"; origin: Origin; reason: string; line?: number }
  /** A message for people about the source itself (a history read retrying, a gap). */
  | { kind: "notice"; origin: Origin; level: "info" | "warning" | "verbose"; message: string };

/** One place events come from: iterate it once; it ends when `stop` aborts. */
export interface Source {
  readonly origin: Origin;
  /** A live source reconnects and may be de-duplicated; a recording is read as is. */
  readonly live: boolean;
  items(stop: AbortSignal): AsyncIterable<SourceItem>;
}
