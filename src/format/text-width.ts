/**
 * Measuring text in terminal cells. string-width builds an Intl.Segmenter when imported
 * (tens of ms), so only formats that align text for people load it (the registry passes
 * the measure to them through their options); no module-level state.
 */
export interface TextWidth {
  /** Display width in terminal cells (CJK and emoji are two wide; ANSI codes zero). */
  width(text: string): number;
  /** Pads or truncates (with …) to exactly `width` cells. Text must not contain ANSI codes. */
  fit(text: string, width: number, align?: "left" | "right"): string;
  /** Cuts to at most `width` cells, ending in … when cut. */
  truncate(text: string, width: number): string;
}

const PRINTABLE_ASCII = /^[\x20-\x7e]*$/;

export function createTextWidth(stringWidth: (text: string) => number): TextWidth {
  // Fast path: printable ASCII is one cell per character.
  const width = (text: string) => (PRINTABLE_ASCII.test(text) ? text.length : stringWidth(text));
  const truncate = (text: string, max: number): string => {
    if (max <= 0) return "";
    if (width(text) <= max) return text;
    let out = "";
    let used = 0;
    for (const ch of text) {
      const cw = width(ch);
      if (used + cw > max - 1) break;
      out += ch;
      used += cw;
    }
    return `${out}…${" ".repeat(Math.max(0, max - 1 - used))}`;
  };
  return {
    width,
    truncate,
    fit(text, max, align) {
      const w = width(text);
      if (w > max) return truncate(text, max);
      const pad = " ".repeat(max - w);
      return align === "right" ? pad + text : text + pad;
    },
  };
}

/** The measure for formats that align text for people. */
export async function loadTextWidth(): Promise<TextWidth> {
  const { default: stringWidth } = await import("string-width");
  return createTextWidth(stringWidth);
}

/** For formats that never align text (one code point, one cell); never loads string-width. */
export const codePointWidth: TextWidth = createTextWidth((text) => [...text].length);
