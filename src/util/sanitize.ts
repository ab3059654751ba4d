/**
 * Feed text is hostile for a terminal: a barcode can carry any bytes (docs/architecture.md).
 * Control characters (C0, DEL, C1 — which covers ESC and CSI, so no escape sequence
 * survives), bidi overrides, zero-width and line-separator characters, and lone
 * surrogates are shown as visible escapes instead of being passed to the terminal.
 */
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\u001b": "\\e" };

export function escapeChar(ch: string): string {
  const named = NAMED[ch];
  if (named) return named;
  const code = ch.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u{${code.toString(16)}}`;
}

/** Returns text safe to print; `mark` styles each escape (e.g. dim) when colour is on. */
export function sanitize(text: string, mark?: (escaped: string) => string): string {
  UNSAFE.lastIndex = 0;
  if (!UNSAFE.test(text)) return text;
  UNSAFE.lastIndex = 0;
  return text.replace(UNSAFE, (ch) => (mark ? mark(escapeChar(ch)) : escapeChar(ch)));
}
