import { constants, type WriteStream } from "node:fs";
import { type FileHandle, open, stat } from "node:fs/promises";
import type { OutputStream } from "../context.js";
import { errorMessage, UsageError } from "../errors.js";
import { loadRecordingRenderer } from "../format/registry.js";
import { Sink } from "../util/sink.js";
import type { Output } from "./output.js";
import { renderedOutput } from "./rendered.js";

/**
 * `--tee <file>`: every shown event, whole, appended as NDJSON — one more output of the
 * pipeline. Opened asynchronously: a FIFO without a reader blocks its open() until one
 * comes, and that wait must not block signals. A file that cannot be written ends the run
 * (exit 1) as soon as the failure is known, not at the end.
 */
export async function openTee(
  path: string,
  options: {
    signal: AbortSignal;
    onWaiting: (message: string) => void;
    onRenderError: (message: string) => void;
  },
): Promise<Output | undefined> {
  if (path === "") throw new UsageError("--tee needs a file name");
  const info = await stat(path).catch(() => undefined);
  if (info?.isDirectory())
    throw new UsageError(`cannot append to --tee file ${path}: it is a directory`);
  const fifo = info?.isFIFO() === true;
  if (fifo) options.onWaiting(`waiting for a reader of the FIFO ${path} (--tee)`);
  let handle: FileHandle | undefined;
  try {
    handle = await abortable(open(path, "a", 0o644), options.signal, () => {
      // A pending open of a FIFO only returns once someone opens the other end: do so.
      if (fifo)
        void open(path, constants.O_RDONLY | constants.O_NONBLOCK).then(
          (h) => h.close(),
          () => {},
        );
    });
  } catch (error) {
    if (options.signal.aborted) return undefined;
    throw new UsageError(
      `cannot append to --tee file ${path}: ${errorMessage(error)
        .replace(/^\w+: /, "")
        .replace(/, open '.*'$/, "")}`,
    );
  }
  if (!handle) return undefined;
  const stream: WriteStream = handle.createWriteStream();
  const sink = new Sink(stream as unknown as OutputStream, {
    signal: options.signal,
    end: () =>
      new Promise<void>((resolve, reject) => {
        stream.once("error", reject);
        stream.end(() => resolve());
      }),
  });
  return renderedOutput({
    label: `--tee file ${path}`,
    renderer: await loadRecordingRenderer(),
    sink,
    onRenderError: options.onRenderError,
    closeIsQuiet: false,
  });
}

/** The promise's value, or undefined once `signal` aborts first (`onAbort` then runs). */
async function abortable<T>(
  promise: Promise<T>,
  signal: AbortSignal,
  onAbort: () => void,
): Promise<T | undefined> {
  if (signal.aborted) {
    onAbort();
    void promise.then(
      (v) => (v as { close?: () => Promise<void> })?.close?.(),
      () => {},
    );
    return undefined;
  }
  return new Promise<T | undefined>((resolve, reject) => {
    const abort = () => {
      onAbort();
      // Whatever the open still returns is closed again.
      void promise.then(
        (v) => (v as { close?: () => Promise<void> })?.close?.(),
        () => {},
      );
      resolve(undefined);
    };
    signal.addEventListener("abort", abort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", abort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener("abort", abort);
        reject(error);
      },
    );
  });
}
