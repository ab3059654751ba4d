import { ConnectionError, UsageError } from "../errors.js";
import { nextTokenOf, toLiveShape } from "./history-map.js";
import {
  eventsUrl,
  type HistoryAuth,
  type HistoryLimits,
  PageClient,
  type PageRequestOptions,
} from "./history-page.js";

export type { HistoryAuth, HistoryStatus, TokenKind } from "./history-page.js";

export interface HistoryOptions extends PageRequestOptions {
  /** Window start, epoch ms, inclusive. */
  since: number;
  /** Window end, epoch ms, inclusive. */
  until: number;
  /**
   * The window is read in slices of this length, oldest first (default 15 minutes, and
   * never more than 96 slices).
   */
  sliceMs?: number;
  limits?: HistoryLimits & {
    /** Guard against a next link that never ends (default 10 000 pages). */
    maxPages?: number;
    /** Events held for sorting at once before giving up with advice to narrow the window (default 500 000). */
    maxEvents?: number;
  };
}

/** One stored event in the live feed's shape, ready to go through the pipeline like a live frame. */
export interface HistoryEvent {
  source: "history";
  /** The mapped event as one compact JSON line (no newline). */
  line: string;
  /** `event_id`, when the item had one. */
  id: string | undefined;
  /** `time_created` in epoch ms. */
  time: number;
}

export interface HistorySummary {
  pages: number;
  /** Items the server sent. */
  items: number;
  /** Events yielded. */
  events: number;
  /** Items outside the window asked for (a server that ignores the window parameters). */
  outsideWindow: number;
  /** True when the server was seen to ignore the window parameters. */
  windowIgnored: boolean;
  /** The same id on two pages. */
  duplicates: number;
  /** Items that are not objects, or have no usable time. */
  skipped: number;
  /** The Authorization spelling that worked. */
  auth: HistoryAuth | undefined;
}

/**
 * Reads the stored events of a window from `GET {baseUrl}/{customer}/events` and yields
 * them oldest first, in the live feed's shape (docs/history.md).
 *
 * Pages come newest first and there is no documented way to ask for the oldest page
 * first, so a window is read in slices, oldest slice first, each read whole, sorted and
 * written before the next: memory holds one slice, about 1-2 KB per event (the JSON
 * line, its id and time, and parsing garbage; measured: RSS +160 MB for 100 000
 * events). A server that ignores the window parameters answers every slice with
 * everything: that is noticed on the first slice, whose read then keeps the rest of
 * the window, so memory grows with the whole window. `limits.maxEvents` turns that into
 * a clear error instead of exhausted memory. A page that fails after its retries fails
 * the read: a silent short answer would look like "no scans" to the user.
 */
export async function* readHistory(
  options: HistoryOptions,
): AsyncGenerator<HistoryEvent, HistorySummary, undefined> {
  const client = new PageClient(options);
  const limits = options.limits ?? {};
  const maxPages = limits.maxPages ?? 10_000;
  const maxEvents = limits.maxEvents ?? 500_000;
  const summary: HistorySummary = {
    pages: 0,
    items: 0,
    events: 0,
    outsideWindow: 0,
    windowIgnored: false,
    duplicates: 0,
    skipped: 0,
    auth: undefined,
  };
  // REST `created` has whole seconds: an event in the window's first second reports the
  // second's start, so the window starts there too, or a gap fill would lose it.
  const since = Math.floor(options.since / 1000) * 1000;
  const until = options.until;
  // At most 96 slices (a day of 15-minute ones): each costs a request even when empty.
  const sliceMs = Math.max(1000, options.sliceMs ?? 15 * 60_000, Math.ceil((until - since) / 96));

  // Newest-first pages let a read stop early when a server ignores the window: once a
  // whole page is older than the slice and every item so far came newest first, no
  // later page can hold an event of it.
  async function readSlice(start: number, end: number): Promise<HistoryEvent[] | undefined> {
    const base = eventsUrl(options.baseUrl, options.customer, options.insecure);
    base.searchParams.set("start_time_millis", String(start));
    base.searchParams.set("end_time_millis", String(Math.ceil(end)));
    const collected: HistoryEvent[] = [];
    const ids = new Set<string>();
    const tokens = new Set<string>();
    let nextToken: string | undefined;
    let descending = true;
    let previousTime = Number.POSITIVE_INFINITY;
    for (;;) {
      if (options.signal?.aborted) return undefined;
      const page = summary.pages + 1;
      if (page > maxPages) {
        throw new ConnectionError(
          `the event history had more than ${maxPages} pages: stopped following links.next`,
          "narrow the window with --since/--until",
        );
      }
      const url = new URL(base);
      if (nextToken !== undefined) url.searchParams.set("next_token", nextToken);
      let answer: Awaited<ReturnType<PageClient["fetchPage"]>>;
      try {
        answer = await client.fetchPage(url, page);
      } catch (error) {
        if (options.signal?.aborted) return undefined;
        throw error;
      }
      summary.pages = page;
      summary.auth = answer.auth;
      // JSON null has no items; a number or string has none either.
      const body = (answer.body ?? {}) as { items?: unknown; links?: unknown };
      if (!Array.isArray(body.items)) {
        throw new ConnectionError(
          `page ${page} of the event history has no "items" array (${url.host})`,
          "the server may not be Insight's REST API: check the base URL",
        );
      }
      let kept = 0;
      let newestOnPage = Number.NEGATIVE_INFINITY;
      for (const item of body.items as unknown[]) {
        summary.items++;
        // An array is an object with no "created": skipped below like any item without a time.
        if (item === null || typeof item !== "object") {
          summary.skipped++;
          continue;
        }
        const mapped = toLiveShape(item as Record<string, unknown>);
        if (mapped.time === undefined) {
          summary.skipped++;
          continue;
        }
        if (mapped.time > previousTime) descending = false;
        previousTime = mapped.time;
        if (mapped.time > newestOnPage) newestOnPage = mapped.time;
        if (mapped.time < start || mapped.time > end) {
          summary.outsideWindow++;
          if (!summary.windowIgnored) {
            summary.windowIgnored = true;
            options.onStatus?.({
              type: "info",
              message: "the server sent events outside the window asked for: filtering them here",
            });
          }
        }
        // Keep the rest of the window, not just the slice: if the server ignores the
        // window, this read is the only one.
        if (mapped.time < start || mapped.time > until) continue;
        if (mapped.id !== undefined) {
          if (ids.has(mapped.id)) {
            summary.duplicates++;
            continue;
          }
          ids.add(mapped.id);
        }
        if (collected.length >= maxEvents) {
          throw new UsageError(
            `the window holds more than ${maxEvents} events${summary.windowIgnored ? " (the server ignores the window parameters)" : ""}: too many to sort in memory`,
            "narrow it with --since/--until",
          );
        }
        collected.push({
          source: "history",
          line: JSON.stringify(mapped.event),
          id: mapped.id,
          time: mapped.time,
        });
        kept++;
      }
      options.onStatus?.({ type: "page", page, items: body.items.length, kept });

      let token: string | undefined;
      try {
        token = nextTokenOf(body.links);
      } catch (error) {
        throw new ConnectionError(`page ${page} of the event history: ${(error as Error).message}`);
      }
      if (token === undefined) return collected;
      if (tokens.has(token)) {
        throw new ConnectionError(
          `page ${page} of the event history links back to an earlier page (next_token repeats): stopped`,
        );
      }
      tokens.add(token);
      if (descending && body.items.length > 0 && newestOnPage < start) {
        options.onStatus?.({
          type: "info",
          message: `stopped after page ${page}: the server ignores the window and every later event is older than it`,
        });
        return collected;
      }
      nextToken = token;
    }
  }

  for (let start = since; start <= until; ) {
    const end = Math.min(start + sliceMs, until);
    const final = end >= until;
    const events = await readSlice(start, end);
    if (events === undefined) return summary;
    // Slices are half-open, [start, end), except the last: an event at a boundary is
    // in both answers and written from the later one.
    const whole = final || summary.windowIgnored;
    const ready = whole ? events : events.filter((e) => e.time < end);
    // Pages came newest first: reversing first makes the stable sort keep equal times
    // in the order the server recorded them.
    ready.reverse();
    ready.sort((a, b) => a.time - b.time);
    for (const event of ready) {
      if (options.signal?.aborted) return summary;
      summary.events++;
      yield event;
    }
    if (whole) break;
    start = end;
  }
  if (summary.skipped > 0) {
    options.onStatus?.({
      type: "warning",
      message: `${summary.skipped} item${summary.skipped === 1 ? "" : "s"} of the event history skipped: not an object or no usable "created" time`,
    });
  }
  return summary;
}

/**
 * Gap fill: the events of a history read not written yet, each remembered as it passes.
 * `seen` is the run's record of written ids (see gap-dedupe.ts).
 */
export async function* unseenHistory(
  history: AsyncIterable<HistoryEvent>,
  seen: { seen(id: string | undefined, time: number | undefined): boolean },
): AsyncGenerator<HistoryEvent> {
  for await (const event of history) {
    if (!seen.seen(event.id, event.time)) yield event;
  }
}
