import { createHash } from "node:crypto";
import { DestinationError } from "../errors.js";
import type { Shown } from "../format/registry.js";
import type { DeliveryItem, Destination } from "./destination.js";
import type { Output } from "./output.js";

/**
 * The id a destination deduplicates on: the event's `event_id`, or for an event without
 * one (a frame the classifier accepted by its `event_type` alone) a SHA-256 of the body,
 * so the same frame forwarded twice, or by two forwarders, still gets the same id.
 */
export function deliveryId(
  event: Readonly<Record<string, unknown>>,
  body: Uint8Array | string,
): string {
  const id = event.event_id;
  if (typeof id === "string" && id !== "") return id;
  if (typeof id === "number" && Number.isFinite(id)) return String(id);
  return `sha256-${createHash("sha256").update(body).digest("hex")}`;
}

export interface ForwardOutputOptions {
  /** How long `finish` waits for outstanding acknowledgements (JetStream's window). */
  finishTimeoutMs: number;
}

/**
 * A destination as one more output of the pipeline (docs/architecture.md, "Outputs").
 * `flush` hands the batch on one event at a time, in order, awaiting each: while a
 * webhook retries, the pipeline does not read the next batch and the feed's socket is
 * paused, so memory stays bounded and nothing overtakes. An abort (Ctrl-C, SIGTERM,
 * `--timeout`) ends the batch quietly — the run's end is decided by the pipeline — and
 * the events not yet handed on are dropped uncounted; a destination that gives up
 * rejects `flush` with its DestinationError, which ends the run with exit 1.
 */
export function forwardOutput(destination: Destination, options: ForwardOutputOptions): Output {
  let pending: DeliveryItem[] = [];
  let failure: Error | undefined;
  let finished = false;
  return {
    label: destination.label,
    add(shown: Shown) {
      // The frame as received: a webhook body is never re-serialised.
      const body = shown.frame;
      pending.push({ id: deliveryId(shown.event, body), body, event: shown.event });
    },
    async flush() {
      const batch = pending;
      pending = [];
      for (const item of batch) {
        try {
          await destination.send(item);
        } catch (error) {
          if (isAbort(error)) return;
          throw error;
        }
      }
    },
    async finish() {
      if (finished) return;
      finished = true;
      pending = [];
      try {
        await destination.flush(options.finishTimeoutMs);
      } catch (error) {
        if (!isAbort(error)) {
          failure =
            error instanceof Error ? error : new DestinationError(`${destination.label}: ${error}`);
        }
      } finally {
        await destination.close();
      }
    },
    closed: false,
    get failure() {
      return failure;
    },
  };
}

function isAbort(error: unknown): boolean {
  return error instanceof Error && error.name === "AbortError";
}
