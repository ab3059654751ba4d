import type { ChalkInstance } from "chalk";
import { type ScanEvent, str } from "../events/event.js";
import { formatDuration } from "../util/duration.js";

const MAX_KEYS = 10_000;

/** Counters for the closing summary; per-key maps are bounded. */
export class RunStats {
  received = 0;
  shown = 0;
  filtered = 0;
  invalid = 0;
  duplicates = 0;
  reconnects = 0;
  /** Events written from the stored history into a live run (--since, gap fill). */
  filled = 0;
  readonly perDevice = new Map<string, number>();
  readonly perSymbology = new Map<string, number>();

  constructor(readonly startedAt: number) {}

  count(event: ScanEvent): void {
    this.countKeys(str(event.device_serial), str(event.scan_decode_symbology));
  }

  countKeys(serial: string | undefined, symbology: string | undefined): void {
    bump(this.perDevice, serial ?? "(no serial)");
    bump(this.perSymbology, symbology ?? "(none)");
  }

  summaryLine(now: number): string {
    const parts = [
      `${this.received} received`,
      `${this.shown} shown`,
      `${this.filtered} filtered out`,
      `${this.invalid} invalid`,
    ];
    if (this.duplicates)
      parts.push(`${this.duplicates} duplicate${this.duplicates === 1 ? "" : "s"} dropped`);
    if (this.filled) parts.push(`${this.filled} from the event history`);
    if (this.reconnects)
      parts.push(`${this.reconnects} reconnect${this.reconnects === 1 ? "" : "s"}`);
    return `${parts.join(", ")} in ${formatDuration(now - this.startedAt)}`;
  }

  /** The summary with breakdowns, one line each; `sanitize` makes feed text safe. */
  summary(
    now: number,
    chalk: ChalkInstance,
    sanitize: (s: string) => string,
    width = Number.POSITIVE_INFINITY,
  ): string[] {
    // The counts, wrapped at the terminal's width between parts, never inside one.
    const lines: string[] = [];
    let line = "scantail:";
    for (const part of this.summaryLine(now).split(/(?<=,) /)) {
      if (line !== "scantail:" && line.length + 1 + part.length > width) {
        lines.push(line);
        line = ` ${part}`;
      } else line += ` ${part}`;
    }
    lines.push(line);
    const top = (map: Map<string, number>, label: string) => {
      if (map.size === 0) return;
      const sorted = [...map].sort((a, b) => b[1] - a[1]);
      // As many as fit on one line of the terminal, then "+N more".
      let line = `  ${label} (${map.size}):`;
      let count = 0;
      for (const [k, n] of sorted) {
        const item = `${count ? "," : ""} ${sanitize(k)} ${n}`;
        const rest = sorted.length - count - 1;
        const tail = rest > 0 ? `, +${rest} more` : "";
        if (count >= 8 || line.length + item.length + tail.length > width) break;
        line += item;
        count++;
      }
      if (count < sorted.length) line += `${count ? "," : ""} +${sorted.length - count} more`;
      lines.push(chalk.dim(line));
    };
    top(this.perDevice, "devices");
    top(this.perSymbology, "symbologies");
    return lines;
  }
}

/** Keys are feed text of any length: kept short, so 10 000 of them stay small. */
const MAX_KEY_LENGTH = 128;

function bump(map: Map<string, number>, rawKey: string): void {
  const key = rawKey.length > MAX_KEY_LENGTH ? `${rawKey.slice(0, MAX_KEY_LENGTH)}…` : rawKey;
  const n = map.get(key);
  if (n !== undefined) map.set(key, n + 1);
  else if (map.size < MAX_KEYS) map.set(key, 1);
}
