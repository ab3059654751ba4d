import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Worker } from "node:worker_threads";
import type { BinaryFrame, Frame } from "../feed/frame.js";
import {
  type Classified,
  type ClassifyOptions,
  createClassifier,
  type PackedResult,
  packBatch,
  unpackResult,
} from "./classify.js";

export interface Classifier {
  classify(frames: ReadonlyArray<Frame>): Classified | Promise<Classified>;
  close(): void;
}

/** Batches smaller than this are classified in-thread: a round trip is not worth it. */
const WORKER_MIN_BATCH = 64;

function workerPath(): string | undefined {
  // In the bundle this module lives in dist/ or dist/chunks/, the worker in dist/.
  for (const candidate of ["./classify-worker.js", "../classify-worker.js"]) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  return undefined;
}

/**
 * In-thread classification, plus a worker thread for big batches when the output is
 * NDJSON (the renderer needs no objects). The worker starts only once a big batch
 * arrives, so a quick `--count 5` never pays for it; any worker failure falls back to
 * in-thread work for the rest of the run.
 */
export function openClassifier(
  options: ClassifyOptions,
  env: Record<string, string | undefined>,
): Classifier {
  const local = createClassifier(options);
  const allowed = !options.keepEvents && env.SCANTAIL_WORKER !== "0";
  let worker: Worker | undefined;
  let failed = !allowed;
  let nextId = 0;
  const pending = new Map<
    number,
    { resolve: (r: Classified) => void; frames: ReadonlyArray<Frame> }
  >();

  const fail = () => {
    failed = true;
    worker = undefined;
    for (const [id, p] of pending) {
      pending.delete(id);
      p.resolve(local(p.frames));
    }
  };

  const start = async (): Promise<Worker | undefined> => {
    const path = workerPath();
    if (!path) {
      failed = true;
      return undefined;
    }
    const { Worker } = await import("node:worker_threads");
    const w = new Worker(path, { workerData: options });
    w.unref();
    w.on("message", (message: PackedResult) => {
      const p = pending.get(message.id);
      if (!p) return;
      pending.delete(message.id);
      p.resolve(unpackResult(message));
    });
    w.on("error", fail);
    w.on("exit", () => {
      if (!failed && worker === w) fail();
    });
    return w;
  };

  return {
    classify(frames) {
      const threshold = Number(env.SCANTAIL_WORKER_MIN_BATCH) || WORKER_MIN_BATCH;
      // Only byte frames of a live feed go to the worker (recordings are strings already).
      if (failed || frames.length < threshold || typeof frames[0] === "string")
        return local(frames);
      return (async () => {
        worker ??= await start();
        if (!worker || failed) return local(frames);
        const id = nextId++;
        const packed = packBatch(id, frames as ReadonlyArray<Uint8Array | BinaryFrame>);
        return new Promise<Classified>((resolve) => {
          pending.set(id, { resolve, frames });
          worker!.postMessage(packed, [
            packed.bytes.buffer as ArrayBuffer,
            packed.offsets.buffer as ArrayBuffer,
            packed.binary.buffer as ArrayBuffer,
          ]);
        });
      })();
    },
    close() {
      failed = true;
      void worker?.terminate();
      worker = undefined;
    },
  };
}
