import { createHash } from "node:crypto";
import { SeenWindow } from "../sources/gap-dedupe.js";

/** Says whether an event id was already written (and remembers it when not). */
export interface Dedupe {
  seen(key: string, time?: number): boolean;
}

/**
 * The live run's memory of written ids: by event time (see SeenWindow), so a gap fill
 * that looks back a minute past the last event still recognises every id of that
 * minute, however long the outage; ids as fixed-size keys, so memory stays bounded in
 * bytes too.
 */
export function liveDedupe(now: () => number): Dedupe {
  const window = new SeenWindow({ now });
  return { seen: (key, time) => window.seen(idKey(key), time) };
}

/** Ids up to this long are kept as they are (a UUID is 36); longer ones as a digest. */
const MAX_KEPT_ID = 64;

/**
 * A fixed-size stand-in for an id: a hostile feed can send megabyte-long ids, and 10 000
 * of them must not hold gigabytes. SHA-256 makes a collision (a false "duplicate") as
 * unlikely as it gets.
 */
export function idKey(id: string): string {
  return id.length <= MAX_KEPT_ID ? id : `#${createHash("sha256").update(id).digest("base64")}`;
}
