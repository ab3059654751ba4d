import { errorMessage } from "../errors.js";
import { gapWindow, unfilledGapNotice } from "./gap.js";
import { type HistoryOptions, type HistoryStatus, readHistory } from "./history.js";
import type { Origin, Source, SourceItem } from "./source.js";
import type { TimeWindow } from "./when.js";

/** Everything a history read needs but the window (and the signal, which the run owns). */
export type HistoryAccess = Omit<HistoryOptions, "since" | "until" | "signal" | "onStatus">;

const BATCH = 256;

/**
 * Stored events of a window as items of `origin`: oldest first, in the live feed's shape,
 * in batches. Progress and warnings of the read become notices.
 */
async function* historyItems(
  access: HistoryAccess,
  window: TimeWindow,
  origin: Origin,
  stop: AbortSignal,
): AsyncGenerator<SourceItem> {
  const notices: SourceItem[] = [];
  const onStatus = (status: HistoryStatus) => {
    notices.push(historyNotice(status, origin));
  };
  let frames: string[] = [];
  const read = readHistory({ ...access, ...window, signal: stop, onStatus });
  for await (const event of read) {
    yield* notices.splice(0);
    frames.push(event.line);
    if (frames.length >= BATCH) {
      yield { kind: "frames", origin, frames };
      frames = [];
    }
  }
  yield* notices.splice(0);
  if (frames.length) yield { kind: "frames", origin, frames };
}

function historyNotice(status: HistoryStatus, origin: Origin): SourceItem {
  switch (status.type) {
    case "warning":
      return notice(origin, status.message);
    case "retry":
      return notice(
        origin,
        `event history page ${status.page}: ${status.reason}; retrying in ${Math.round(status.delayMs)} ms (attempt ${status.attempt + 1})`,
      );
    case "auth":
      return notice(
        origin,
        `event history: ${status.refused} was refused; trying ${status.next}`,
        "verbose",
      );
    case "info":
      return notice(origin, status.message, "verbose");
    case "page":
      return notice(
        origin,
        `event history page ${status.page}: ${status.items} items, ${status.kept} in the window`,
        "verbose",
      );
  }
}

/** `scantail events`: the stored events of one window, then the end. */
export function openHistory(access: HistoryAccess, window: TimeWindow, profile?: string): Source {
  const origin: Origin = { source: "history", profile };
  return {
    origin,
    live: false,
    items: (stop) => historyItems(access, window, origin, stop),
  };
}

export interface LiveWithHistoryOptions {
  /** Where stored events come from; without it, neither --since nor gap fill. */
  access?: HistoryAccess;
  /** `--since`: the stored events from then on first, then live. */
  since?: number;
  /** Fill the gap after a reconnect from the history (on unless --no-gap-fill). */
  gapFill: boolean;
  now: () => number;
}

/**
 * A live source with its past: `--since` writes the stored events up to the moment the
 * live connection opened, then the live ones; after a reconnect, the events of the gap
 * (from the last frame received, less a minute, to the reconnect) are fetched and written
 * before live events go on. Live frames wait meanwhile in the feed's queue, which pauses
 * the socket when it fills (memory stays bounded). Events seen twice — the seam's
 * overlap, a gap's first minute — are dropped by the run's de-duplication by id. A gap
 * that cannot be filled is one warning with its start, end and reason; the tail goes on.
 */
export function withHistory(live: Source, options: LiveWithHistoryOptions): Source {
  const { access } = options;
  if (!access || (options.since === undefined && !options.gapFill)) return live;
  const historyOrigin: Origin = { source: "history", profile: live.origin.profile };
  return {
    origin: live.origin,
    live: true,
    async *items(stop) {
      let firstOpenedAt: number | undefined;
      let sinceDone = options.since === undefined;
      let lastFrameAt: number | undefined;
      let connectedAt: number | undefined;
      for await (const item of live.items(stop)) {
        if (item.kind === "frames") lastFrameAt = options.now();
        yield item;
        if (item.kind !== "status" || item.status.type !== "connected") continue;
        const openedAt = options.now();
        firstOpenedAt ??= openedAt;
        if (!sinceDone) {
          sinceDone = true;
          const window = { since: options.since!, until: openedAt };
          yield* fill(access, window, historyOrigin, stop, "--since");
        } else if (options.gapFill && connectedAt !== undefined) {
          // A connection after one that opened: a reconnect.
          const window = gapWindow({
            lastEventAt: lastFrameAt,
            connectedAt,
            reconnectedAt: openedAt,
            // A drop in the first minute must not fill much from before the run: events
            // created up to 30 s before the first connection may still have been on their
            // way (gateways buffer scans), older ones are history the user did not ask for.
            // With --since, that window was written already.
            notBefore: options.since ?? firstOpenedAt - 30_000,
          });
          if (window.lostBefore !== undefined) {
            yield notice(
              historyOrigin,
              unfilledGapNotice(
                { since: lastFrameAt ?? connectedAt, until: window.lostBefore },
                "older than the 24 hours the event history keeps",
              ),
            );
          }
          yield* fill(access, window, historyOrigin, stop, "gap");
        }
        connectedAt = openedAt;
      }
    },
  };
}

function notice(
  origin: Origin,
  message: string,
  level: "info" | "warning" | "verbose" = "warning",
): SourceItem {
  return { kind: "notice", origin, level, message };
}

const iso = (ms: number) => new Date(ms).toISOString();

/** What a fill says as it starts and when it cannot be read, for --since and for a gap. */
const FILL_NOTICES = {
  "--since": {
    start: (window: TimeWindow) => `stored events since ${iso(window.since)}, then live`,
    failed: (window: TimeWindow, reason: string) =>
      `stored events since ${iso(window.since)} could not be read: ${reason}; going on live`,
  },
  gap: {
    start: (window: TimeWindow) =>
      `filling the gap from the event history (${iso(window.since)} to ${iso(window.until)})`,
    failed: unfilledGapNotice,
  },
};

async function* fill(
  access: HistoryAccess,
  window: TimeWindow,
  origin: Origin,
  stop: AbortSignal,
  what: keyof typeof FILL_NOTICES,
): AsyncGenerator<SourceItem> {
  yield notice(origin, FILL_NOTICES[what].start(window), "info");
  try {
    yield* historyItems(access, window, origin, stop);
  } catch (error) {
    if (stop.aborted) return;
    yield notice(origin, FILL_NOTICES[what].failed(window, errorMessage(error)));
  }
}
