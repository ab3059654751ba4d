import { UsageError } from "../errors.js";

/** The event fields a `--subject` may name; each becomes exactly one subject token. */
export const SUBJECT_FIELDS = ["device_serial", "event_type", "gateway_id"] as const;
export type SubjectField = (typeof SUBJECT_FIELDS)[number];

export const DEFAULT_SUBJECT = "insight.events";

const PLACEHOLDER = /\{([^{}]*)\}/g;
/** Longest token we put into a subject; NATS has no hard limit, but subjects travel with every message. */
const MAX_TOKEN_LENGTH = 64;

/**
 * Makes a feed value one safe NATS subject token. `.` separates tokens and `*`/`>` are
 * wildcards, whitespace ends a subject in the protocol line, so a serial like "A.B" or a
 * gateway named "> all" must not change the subject's shape. Anything outside
 * [A-Za-z0-9_-] becomes `_`; an empty or missing value becomes `_` so the token count,
 * which stream filters like `scans.*` rely on, never changes.
 */
export function subjectToken(value: unknown): string {
  const text = typeof value === "string" ? value : typeof value === "number" ? String(value) : "";
  const safe = text.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, MAX_TOKEN_LENGTH);
  return safe === "" ? "_" : safe;
}

/**
 * Checks a `--subject` template: publishable NATS tokens (no wildcards, no whitespace, no
 * empty token) and only the known `{field}` placeholders, each standing as a whole token.
 */
export function validateSubject(template: string): void {
  const fail = (why: string) => {
    throw new UsageError(`invalid --subject '${template}': ${why}`);
  };
  if (template === "") fail("it is empty");
  for (const token of template.split(".")) {
    if (token === "") fail("a token between dots is empty");
    if (/[\s*>]/.test(token)) fail("a subject to publish to has no spaces, '*' or '>'");
    const names = [...token.matchAll(PLACEHOLDER)].map((match) => match[1] ?? "");
    for (const name of names) {
      if (!(SUBJECT_FIELDS as readonly string[]).includes(name)) {
        fail(
          `unknown placeholder {${name}} (known: ${SUBJECT_FIELDS.map((f) => `{${f}}`).join(", ")})`,
        );
      }
    }
    if (names.length > 0 && token !== `{${names[0]}}`) fail(`a placeholder must be a whole token`);
    if (names.length === 0 && /[{}]/.test(token)) fail("unbalanced '{' or '}'");
  }
}

/** The concrete subject for one event: each placeholder replaced by its subject-safe value. */
export function subjectFor(template: string, event: Readonly<Record<string, unknown>>): string {
  return template.replace(PLACEHOLDER, (_, name: string) => subjectToken(event[name]));
}

/** The subject filter covering every subject the template can produce (`scans.*` for `scans.{device_serial}`). */
export function subjectFilter(template: string): string {
  return template.replace(PLACEHOLDER, "*");
}
