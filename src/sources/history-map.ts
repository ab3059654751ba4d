/**
 * REST history items → the live feed's shape, so one jq program reads both
 * (docs/history.md). Insight's REST example names fields differently from the live feed
 * and gives `created` in seconds where the live feed has milliseconds.
 */

/** REST name → live name (a Map: an item's "constructor" or "toString" is no REST name). */
const RENAMES: ReadonlyMap<string, string> = new Map([
  ["id", "event_id"],
  ["type", "event_type"],
  ["created", "time_created"],
  ["device_id", "device_serial"],
]);

/** Below this an epoch value is seconds: 10^11 ms is March 1973, 10^11 s is the year 5138. */
const SECONDS_BELOW = 1e11;

/**
 * Reads an epoch time in milliseconds from a number, a numeric string or an ISO 8601
 * string; a value below 10^11 is taken as seconds. Undefined when nothing usable.
 */
export function toEpochMillis(value: unknown): number | undefined {
  let n = Number.NaN;
  if (typeof value === "number") n = value;
  else if (typeof value === "string") {
    const text = value.trim();
    if (/^\d+(\.\d+)?$/.test(text)) n = Number(text);
    else if (/^\d{4}-\d{2}-\d{2}/.test(text)) {
      const parsed = Date.parse(text);
      return Number.isFinite(parsed) ? parsed : undefined;
    }
  }
  if (!Number.isFinite(n) || n < 0) return undefined;
  return Math.round(n < SECONDS_BELOW ? n * 1000 : n);
}

export interface MappedEvent {
  event: Record<string, unknown>;
  /** The event's id (live `event_id`), when it has a string one. */
  id: string | undefined;
  /** time_created in epoch ms, when usable. */
  time: number | undefined;
}

/**
 * Renames the four REST fields in place (key order kept) and turns `created` into
 * milliseconds. When an item carries both names (a server that already speaks the live
 * shape), the live field keeps its value and the REST one stays as it came, under its
 * own name: nothing the server sent is lost. Every other field is copied untouched.
 */
export function toLiveShape(item: Record<string, unknown>): MappedEvent {
  const event: Record<string, unknown> = {};
  // The time written is the time sorted by: converted once, not again from its result.
  let time: number | undefined;
  for (const [key, value] of Object.entries(item)) {
    const live = RENAMES.get(key);
    const name = live !== undefined && !Object.hasOwn(item, live) ? live : key;
    if (name === "time_created") {
      time = toEpochMillis(value);
      event[name] = time ?? value;
    } else {
      event[name] = value;
    }
  }
  const id = event.event_id;
  return { event, id: typeof id === "string" && id !== "" ? id : undefined, time };
}

/**
 * Reads `next_token` from a `links.next` value: a path with or without the customer
 * segment (`/events?next_token=…`, `/c1/events?next_token=…`), a bare query, or an
 * absolute URL. The link itself is never requested: the original request is repeated
 * with the token, so the Authorization header never goes to a host the user did not
 * configure. Returns undefined when there is no next page, or throws when a link is
 * present but carries no token.
 */
export function nextTokenOf(links: unknown): string | undefined {
  if (links === null || typeof links !== "object") return undefined;
  const next = (links as Record<string, unknown>).next;
  if (next === undefined || next === null || next === "") return undefined;
  if (typeof next !== "string") throw new Error("links.next is not a string");
  let url: URL;
  try {
    url = new URL(next, "http://history.invalid/");
  } catch {
    throw new Error(`links.next is not a path or URL: ${next.slice(0, 80)}`);
  }
  const token = url.searchParams.get("next_token");
  if (token === null || token === "") {
    throw new Error(`links.next carries no next_token: ${next.slice(0, 80)}`);
  }
  return token;
}
