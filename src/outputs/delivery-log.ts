import type { DeliveryReport } from "./destination.js";

/** Colours for the delivery line; identity functions when colour is off. */
export interface DeliveryStyle {
  ok: (text: string) => string;
  warn: (text: string) => string;
  bad: (text: string) => string;
  dim: (text: string) => string;
}

const plain = (text: string) => text;
export const PLAIN_STYLE: DeliveryStyle = { ok: plain, warn: plain, bad: plain, dim: plain };

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} m ${Math.round((ms % 60_000) / 1000)} s`;
}

/**
 * One stderr line per delivery report, like `stripe listen`: `[status] event id, time
 * taken`, then what happens next. `time` (e.g. "14:03:07") is given by the caller so the
 * function stays pure.
 */
export function formatDeliveryLine(
  report: DeliveryReport,
  style: DeliveryStyle = PLAIN_STYLE,
  time?: string,
): string {
  const status = `[${report.status ?? report.outcome}]`;
  const painted =
    report.outcome === "delivered"
      ? style.ok(status)
      : report.outcome === "duplicate" || report.outcome === "retrying"
        ? style.warn(status)
        : style.bad(status);
  const attempt = report.attempt > 1 ? ` (attempt ${report.attempt})` : "";
  const detail = report.detail ? `: ${report.detail}` : "";
  const tail = (() => {
    switch (report.outcome) {
      case "delivered":
        return attempt;
      case "duplicate":
        return `${attempt} duplicate, already stored`;
      case "rejected":
        return `${attempt} rejected, skipped${detail}`;
      case "retrying":
        return `${attempt} retrying in ${formatMs(report.retryInMs ?? 0)}${detail}`;
      case "failed":
        return `${attempt} failed${detail}`;
    }
  })();
  const prefix = time ? `${style.dim(time)}  ` : "";
  return `${prefix}${painted} ${report.id}  ${style.dim(formatMs(report.ms))}${tail}`;
}

export interface DeliveryCounts {
  delivered: number;
  /** Events that needed at least one more attempt. */
  retried: number;
  rejected: number;
  /** Acknowledged by JetStream as already stored. */
  deduplicated: number;
  failed: number;
}

export const NO_DELIVERIES: DeliveryCounts = Object.freeze({
  delivered: 0,
  retried: 0,
  rejected: 0,
  deduplicated: 0,
  failed: 0,
});

/** Adds one report to the counts; a reducer, so `reports.reduce(countDelivery, NO_DELIVERIES)`. */
export function countDelivery(counts: DeliveryCounts, report: DeliveryReport): DeliveryCounts {
  switch (report.outcome) {
    case "delivered":
      return { ...counts, delivered: counts.delivered + 1 };
    case "duplicate":
      return { ...counts, deduplicated: counts.deduplicated + 1 };
    case "rejected":
      return { ...counts, rejected: counts.rejected + 1 };
    case "retrying":
      // The first retry of an event counts it; later ones of the same event do not.
      return report.attempt === 1 ? { ...counts, retried: counts.retried + 1 } : counts;
    case "failed":
      return { ...counts, failed: counts.failed + 1 };
  }
}

/** The closing summary: `forwarded 12 events to <label>: 10 delivered, 2 retried, 1 rejected, 1 deduplicated`. */
export function formatDeliverySummary(counts: DeliveryCounts, label: string): string {
  const handled = counts.delivered + counts.deduplicated + counts.rejected + counts.failed;
  const parts = [
    `${counts.delivered} delivered`,
    `${counts.retried} retried`,
    `${counts.rejected} rejected`,
    `${counts.deduplicated} deduplicated`,
  ];
  if (counts.failed > 0) parts.push(`${counts.failed} failed`);
  return `forwarded ${handled} event${handled === 1 ? "" : "s"} to ${label}: ${parts.join(", ")}`;
}
