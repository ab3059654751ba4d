import type { ChalkInstance } from "chalk";
import { UsageError } from "../errors.js";
import type { ScanEvent } from "../events/event.js";
import type { DeviceSort, TimeMode } from "./names.js";
import type { OutputBuffer } from "./output-buffer.js";
import { codePointWidth, loadTextWidth, type TextWidth } from "./text-width.js";

/** Options a format may take besides the always-present ones; each declares its own. */
export type FormatOptionName =
  | "fields"
  | "time"
  | "template"
  | "header"
  | "highlight"
  | "wide"
  | "sort";

export interface FormatOptions {
  chalk: ChalkInstance;
  /** Whether stdout is a terminal: only then may values be shortened to fit. */
  isTTY: boolean;
  columns: number;
  rows: number;
  /** Cell widths of text (string-width for the formats that align text). */
  text: TextWidth;
  fields?: string[];
  time: TimeMode;
  now: () => number;
  /** `--template`: one line per event with {{name}} placeholders. */
  template?: string;
  /** csv/tsv/table: print the header line (`--no-header` turns it off). */
  header: boolean;
  /** `--highlight`: marks matches in the scan code. */
  highlight?: RegExp;
  /** `--wide`: never shorten a value, even on a terminal. */
  wide: boolean;
  /** `--sort`: the devices view's row order (default: by gateway and station). */
  sort?: DeviceSort;
  /** A full-screen view ends when q is pressed (the run reads keys from the terminal). */
  quitKey?: boolean;
  /** See Context.setTerminalRestore. */
  setTerminalRestore?: (sequence: string | undefined) => void;
  /** A live feed (clock = now) or a replay (clock = the newest event's time). */
  live?: boolean;
}

/** One event on its way out: the parsed object and the frame as received. */
export interface Shown {
  event: ScanEvent;
  /** The frame's text (decoded once by the classifier). */
  text: string;
  /** The frame as received: bytes of a live frame, or a line of a recording. */
  frame: string | Uint8Array;
}

/**
 * A renderer turns events into output. `render` returns the text for one event ("" when
 * nothing is printed now); `tick` is called a few times a second by views that redraw;
 * `finish` returns what is printed at the end of the run. A renderer that can pass the
 * received bytes through (ndjson) implements `write` instead, and the pipeline gives it
 * the output buffer to append to.
 */
export interface Renderer {
  render(event: ScanEvent, text: string): string;
  write?(shown: Shown, out: OutputBuffer): void;
  tick?(): string;
  finish?(): string;
  /** Called when the terminal is resized. */
  resize?(columns: number, rows: number): void;
  /** How often `tick` wants to run, in ms. */
  readonly tickInterval?: number;
}

export interface FormatDefinition {
  description: string;
  /** Other names accepted by --format. */
  aliases?: readonly string[];
  /**
   * A full-screen view owns the terminal while it runs (status lines would scribble over
   * it); a line format writes one or more lines per event.
   */
  fullScreen: boolean;
  /** The options this format takes; any other format option is a usage error. */
  options: readonly FormatOptionName[];
  /** Aligns text for people: gets the string-width measure. */
  measuresText: boolean;
  load(): Promise<{ createRenderer(options: FormatOptions): Renderer }>;
}

/**
 * The typed registry behind `--format`: its keys are the choices, in the order help
 * lists them. Adding a format is one file and one entry here. This module stays light
 * (it is loaded for --help): every format's code is loaded on demand.
 */
export const FORMATS = {
  pretty: {
    description: "one coloured line per event (default on a terminal)",
    fullScreen: false,
    options: ["fields", "time", "highlight", "wide"],
    measuresText: true,
    load: () => import("./pretty.js"),
  },
  table: {
    description: "aligned columns under a header, streamed as events arrive",
    fullScreen: false,
    options: ["fields", "time", "header", "highlight", "wide"],
    measuresText: true,
    load: () => import("./table.js"),
  },
  ndjson: {
    description: "one compact JSON object per line, as received (default on a pipe)",
    aliases: ["json", "jsonl"],
    fullScreen: false,
    options: ["fields"],
    measuresText: false,
    load: () => import("./ndjson.js"),
  },
  devices: {
    description: "one row per device, redrawn in place on a terminal",
    fullScreen: true,
    options: ["wide", "sort"],
    measuresText: true,
    load: () => import("./devices.js"),
  },
  csv: {
    description: "comma-separated values (RFC 4180) with a header line",
    fullScreen: false,
    options: ["fields", "time", "header"],
    measuresText: false,
    load: () => import("./csv.js"),
  },
  tsv: {
    description: "tab-separated values with a header line",
    fullScreen: false,
    options: ["fields", "time", "header"],
    measuresText: false,
    load: () => import("./tsv.js"),
  },
  template: {
    description: "one line per event from --template '{{name}} …'",
    fullScreen: false,
    options: ["template", "time"],
    measuresText: false,
    load: () => import("./template.js"),
  },
} satisfies Record<string, FormatDefinition>;

export type FormatName = keyof typeof FORMATS;
export const FORMAT_NAMES = Object.keys(FORMATS) as FormatName[];

export function formatDefinition(name: FormatName): FormatDefinition {
  return FORMATS[name];
}

const OPTION_FLAGS: Record<FormatOptionName, string> = {
  fields: "--fields",
  time: "--time",
  template: "--template",
  header: "--no-header",
  highlight: "--highlight",
  wide: "--wide",
  sort: "--sort",
};

/**
 * Fails (exit 2) when an option was given that the format does not take, instead of
 * silently ignoring it. `given` lists the options the user set explicitly.
 */
export function checkFormatOptions(name: FormatName, given: readonly FormatOptionName[]): void {
  const takes = FORMATS[name].options as readonly FormatOptionName[];
  for (const option of given) {
    if (!takes.includes(option)) {
      throw new UsageError(`${OPTION_FLAGS[option]} does not apply to -o ${name}`);
    }
  }
}

/** Loads a format and builds its renderer; `text` is filled in by the registry. */
export async function createRenderer(
  name: FormatName,
  options: Omit<FormatOptions, "text">,
): Promise<Renderer> {
  const definition: FormatDefinition = FORMATS[name];
  const text = definition.measuresText ? await loadTextWidth() : codePointWidth;
  const module = await definition.load();
  return module.createRenderer({ ...options, text });
}

/**
 * The renderer behind `--tee` and every other recording: whole events as NDJSON, as
 * received, whatever the main format is.
 */
export async function loadRecordingRenderer(): Promise<Renderer> {
  return (await import("./ndjson.js")).createRecordingRenderer();
}
