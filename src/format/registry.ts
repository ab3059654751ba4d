import type { ChalkInstance } from "chalk";
import type { ScanEvent } from "../events/event.js";
import { FORMAT_NAMES, type FormatName, TIME_MODES, type TimeMode } from "./names.js";
import * as ndjson from "./ndjson.js";
import * as pretty from "./pretty.js";
import { loadTextWidth } from "./text-width.js";

export { FORMAT_NAMES, type FormatName, TIME_MODES, type TimeMode };

export interface FormatOptions {
  chalk: ChalkInstance;
  /** Whether stdout is a terminal (devices redraws in place only then). */
  isTTY: boolean;
  columns: number;
  rows: number;
  fields?: string[];
  time: TimeMode;
  now: () => number;
  /** See Context.setTerminalRestore. */
  setTerminalRestore?: (sequence: string | undefined) => void;
  /** A live feed (clock = now) or a replay (clock = the newest event's time). */
  live?: boolean;
}

/**
 * A renderer turns events into stdout text. `render` returns the text for one event
 * ("" when nothing is printed now); `tick` is called a few times a second by views that
 * redraw; `finish` returns what is printed at the end of the run.
 */
export interface Renderer {
  render(event: ScanEvent, raw: string): string;
  tick?(): string;
  finish?(): string;
  /** Called when the terminal is resized. */
  resize?(columns: number, rows: number): void;
  /** How often `tick` wants to run, in ms. */
  readonly tickInterval?: number;
}

export interface FormatDefinition {
  description: string;
  load(): Promise<{ createRenderer(options: FormatOptions): Renderer }>;
}

/** The typed registry behind `--format`: its keys are the choices (house style #5). */
export const FORMATS = {
  pretty: {
    description: "one coloured line per event (default on a terminal)",
    // The two everyday formats are small and bundled; table and devices load on demand.
    load: async () => {
      await loadTextWidth();
      return pretty;
    },
  },
  table: {
    description: "aligned columns under a header, streamed as events arrive",
    load: () => import("./table.js"),
  },
  ndjson: {
    description: "one compact JSON object per line, as received (default on a pipe)",
    load: async () => ndjson,
  },
  devices: {
    description: "one row per device, redrawn in place on a terminal",
    load: async () => {
      await loadTextWidth();
      return import("./devices.js");
    },
  },
} satisfies Record<FormatName, FormatDefinition>;

export function isFormatName(name: string): name is FormatName {
  return Object.hasOwn(FORMATS, name);
}
