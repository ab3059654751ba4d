let stringWidth: ((text: string) => number) | undefined;

/**
 * Loads string-width, which builds an Intl.Segmenter when imported (tens of ms): only the
 * formats that align text for people need it, so they call this before rendering.
 */
export async function loadTextWidth(): Promise<void> {
  stringWidth ??= (await import("string-width")).default;
}

/** Display width in terminal cells (CJK and emoji are two wide; ANSI codes zero). */
export function displayWidth(text: string): number {
  // Fast path: printable ASCII is one cell per character.
  if (/^[\x20-\x7e]*$/.test(text)) return text.length;
  if (!stringWidth) throw new Error("displayWidth() before loadTextWidth()");
  return stringWidth(text);
}

/** Pads or truncates (with …) to exactly `width` cells. Text must not contain ANSI codes. */
export function fitWidth(text: string, width: number, align: "left" | "right" = "left"): string {
  const w = displayWidth(text);
  if (w > width) return truncate(text, width);
  const pad = " ".repeat(width - w);
  return align === "right" ? pad + text : text + pad;
}

export function truncate(text: string, width: number): string {
  if (width <= 0) return "";
  if (displayWidth(text) <= width) return text;
  let out = "";
  let used = 0;
  for (const ch of text) {
    const cw = displayWidth(ch);
    if (used + cw > width - 1) break;
    out += ch;
    used += cw;
  }
  return `${out}…${" ".repeat(Math.max(0, width - 1 - used))}`;
}
