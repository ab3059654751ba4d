import type { ChalkInstance } from "chalk";
import type { Context, OutputStream } from "../context.js";
import type { FeedStatus } from "../feed/open-feed.js";
import { formatAgo, formatDuration } from "../util/duration.js";

interface Spinner {
  start(text?: string): Spinner;
  stop(): Spinner;
  text: string;
}

/**
 * " (attempt 3 of 5)": the attempt's number since the last healthy connection, so the
 * first try after one says nothing; "of n" when --max-retries stops at n.
 */
function attemptNote(status: { attempt: number; maxAttempts?: number }): string {
  if (status.attempt <= 1) return "";
  return ` (attempt ${status.attempt}${status.maxAttempts ? ` of ${status.maxAttempts}` : ""})`;
}

export interface StatusOptions {
  ctx: Context;
  chalk: ChalkInstance;
  verbose: boolean;
  /** Whether the feed is live (a quiet-feed reminder makes sense) or a replay. */
  live: boolean;
  /** stdout is a terminal showing redrawn output: status must not scribble over it. */
  quietTerminal?: boolean;
  /** `-q`: no banner, connection status or summary; warnings and errors still shown. */
  quiet?: boolean;
  quietAfterMs?: number;
}

/**
 * Status for people, on stderr. On a terminal: a spinner while connecting, a dim line for
 * each change, and after a quiet minute "connected, last event 4m ago" so silence is never
 * ambiguous. On a pipe only real problems are printed (and everything with --verbose).
 * Invalid frames are rate-limited: a flood never prints one line per frame.
 */
export class StatusReporter {
  private readonly stderr: OutputStream;
  private readonly tty: boolean;
  private spinner: Spinner | undefined;
  private spinnerLoading: Promise<void> | undefined;
  private lastEventAt: number | undefined;
  /** When an event last arrived that the filters did not keep. */
  private lastFilteredAt = Number.NEGATIVE_INFINITY;
  private connectedAt: number | undefined;
  private lastQuietNote = 0;
  private quietTimer: NodeJS.Timeout | undefined;
  private invalidShown = 0;
  private invalidSuppressed = 0;
  private invalidWindowStart = 0;
  private connected = false;

  constructor(private readonly options: StatusOptions) {
    this.stderr = options.ctx.stderr;
    this.tty = options.ctx.stderr.isTTY === true;
  }

  private get now(): number {
    return this.options.ctx.now();
  }

  /** A line on stderr; `kind` decides whether it is shown on a pipe. */
  line(text: string, kind: "info" | "status" | "problem" | "always" = "info"): void {
    if ((kind === "info" || kind === "status") && this.options.quiet) return;
    if (kind === "info" && !this.tty && !this.options.verbose) return;
    if (kind === "info" && this.options.quietTerminal && !this.options.verbose) return;
    this.stopSpinner();
    this.stderr.write(`${text}\n`);
  }

  info(text: string): void {
    this.line(this.options.chalk.dim(`scantail: ${text}`), "info");
  }

  warn(text: string): void {
    this.line(`${this.options.chalk.yellow("scantail: warning:")} ${text}`, "problem");
  }

  /** Whether the source is a live feed (quiet-feed reminders) or a recording. */
  setLive(live: boolean): void {
    this.options.live = live;
  }

  verbose(text: string): void {
    if (this.options.verbose && !this.options.quiet) {
      this.stopSpinner();
      this.stderr.write(`${this.options.chalk.dim(`scantail: ${text}`)}\n`);
    }
  }

  feed(status: FeedStatus): void {
    const { chalk } = this.options;
    switch (status.type) {
      case "connecting":
        if (status.attempt === 1 && !status.reconnect)
          this.startSpinner(`connecting to ${status.url}`);
        else this.verbose(`connecting to ${status.url}${attemptNote(status)}`);
        break;
      case "connected":
        this.connected = true;
        this.connectedAt = this.now;
        this.stopSpinner();
        this.info(status.reconnected ? "reconnected" : `connected to ${status.url}`);
        this.startQuietTimer();
        break;
      case "renewed":
        this.info("renewed the connection before the 2-hour limit");
        break;
      case "refreshing":
        this.info(status.reason);
        break;
      case "reconnecting":
      case "retrying": {
        this.connected = false;
        const when = status.delayMs > 0 ? `in ${formatDuration(status.delayMs)}` : "now";
        const verb = status.type === "retrying" ? "retrying" : "reconnecting";
        const text = `${status.reason}; ${verb} ${when}${attemptNote(status)}`;
        if (status.type === "reconnecting" && status.routine) this.info(text);
        else this.line(`${chalk.yellow("scantail:")} ${text}`, "status");
        break;
      }
      case "warning":
        this.warn(status.message);
        break;
    }
  }

  sawEvent(): void {
    this.lastEventAt = this.now;
  }

  /** Events arrived but none passed the filters: the feed is not quiet, the filter is. */
  sawFiltered(): void {
    this.lastFilteredAt = this.now;
  }

  invalid(reason: string, line?: number): void {
    const now = this.now;
    // The first 5 in any 10 s window are shown, the rest counted and summarised.
    if (now - this.invalidWindowStart > 10_000) {
      this.flushInvalid();
      this.invalidWindowStart = now;
      this.invalidShown = 0;
    }
    if (this.invalidShown < 5) {
      this.invalidShown++;
      this.warn(line !== undefined ? `line ${line}: ${reason}` : `ignored frame: ${reason}`);
    } else {
      this.invalidSuppressed++;
    }
  }

  flushInvalid(): void {
    if (this.invalidSuppressed > 0) {
      const n = this.invalidSuppressed;
      this.invalidSuppressed = 0;
      this.warn(`${n} more invalid ${this.options.live ? "frames" : "lines"} ignored`);
    }
  }

  private startQuietTimer(): void {
    if (!this.options.live || this.quietTimer || !this.tty) return;
    const quietAfter = this.options.quietAfterMs ?? 60_000;
    this.quietTimer = setInterval(
      () => {
        if (!this.connected) return;
        const since = this.lastEventAt ?? this.connectedAt ?? this.now;
        const quiet = this.now - since;
        if (quiet >= quietAfter && this.now - this.lastQuietNote >= quietAfter) {
          this.lastQuietNote = this.now;
          const filteredRecently = this.now - this.lastFilteredAt < quietAfter;
          if (filteredRecently) {
            this.info(
              this.lastEventAt
                ? `events arrive, but none has matched the filters for ${formatDuration(quiet)}`
                : `events arrive, but none matches the filters (${formatDuration(quiet)}); check the filter options`,
            );
          } else {
            this.info(
              this.lastEventAt
                ? `connected, last event ${formatAgo(quiet)}`
                : `connected, no event yet (${formatDuration(quiet)})`,
            );
          }
        }
      },
      Math.min(quietAfter, 10_000),
    );
    this.quietTimer.unref();
  }

  private startSpinner(text: string): void {
    // -q: no connection status at all, and a spinner is one (it showed whenever the
    // connection took longer than loading ora, as it often does on Node 22).
    if (!this.tty || this.options.quietTerminal || this.options.quiet) {
      this.verbose(text);
      return;
    }
    this.spinnerLoading = import("ora").then(({ default: ora }) => {
      // Connected (or a line written) before ora loaded: stopSpinner said no spinner.
      if (this.spinnerLoading === undefined) return;
      this.spinner = ora({
        text,
        stream: this.stderr as unknown as NodeJS.WritableStream,
        discardStdin: false,
      }).start();
    });
  }

  stopSpinner(): void {
    this.spinnerLoading = undefined;
    if (this.spinner) {
      this.spinner.stop();
      this.spinner = undefined;
    }
  }

  close(): void {
    this.stopSpinner();
    this.flushInvalid();
    clearInterval(this.quietTimer);
  }
}
