import type { Shown } from "../format/registry.js";

/**
 * Where shown events go: stdout through the chosen format, a `--tee` file, a forwarding
 * destination. The pipeline runs several at once (as vitest runs several reporters) and
 * never asks which kind it has.
 */
export interface Output {
  /** For messages: "stdout", "--tee file shift.ndjson", a destination's label. */
  readonly label: string;
  /** Takes one event (buffered until `flush`). */
  add(shown: Shown): void;
  /** Hands on what was added; resolves when the output can take more (backpressure). */
  flush(): Promise<void>;
  /** Redraws for views that tick (devices); undefined when the output never redraws. */
  readonly tickInterval?: number;
  tick?(): Promise<void>;
  /** The end: a view's final picture, closing files. Resolves when everything is out. */
  finish(): Promise<void>;
  /** The reader went away (a closed stdout pipe): a quiet end, not a failure. */
  readonly closed: boolean;
  /** A failure that must end the run with exit 1 (a --tee file that cannot be written). */
  readonly failure: Error | undefined;
}
