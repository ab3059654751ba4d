import { isCompactJson } from "../events/parse.js";
import { resolveProjection } from "./columns.js";
import type { FormatOptions, Renderer } from "./registry.js";

/**
 * Exactly one line per event: the object as received, every field, compact JSON. When the
 * received text is already compact it is passed through untouched (cheaper, and it keeps
 * the server's own spelling of every value); otherwise it is re-serialised.
 */
export function createRenderer(options: FormatOptions): Renderer {
  if (options.fields?.length) {
    const fields = resolveProjection(options.fields);
    return {
      render(event) {
        const out: Record<string, unknown> = {};
        for (const field of fields) if (event[field] !== undefined) out[field] = event[field];
        return `${JSON.stringify(out)}\n`;
      },
    };
  }
  return {
    render(event, raw) {
      return isCompactJson(raw) ? `${raw}\n` : `${JSON.stringify(event)}\n`;
    },
  };
}
