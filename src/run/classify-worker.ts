/**
 * Worker thread: classifies batches of a fast live feed off the main thread, so JSON.parse
 * runs on the second core while the main thread reads the socket and writes stdout.
 * Batches arrive packed in one transferred buffer; answers use index tables for the
 * strings that repeat (serials, symbologies), so neither side clones much.
 */
import { parentPort, workerData } from "node:worker_threads";
import {
  type ClassifyOptions,
  createClassifier,
  type PackedBatch,
  packResult,
  unpackBatch,
} from "./classify.js";

const classify = createClassifier(workerData as ClassifyOptions);
parentPort!.on("message", (batch: PackedBatch) => {
  const result = packResult(batch.id, classify(unpackBatch(batch)));
  parentPort!.postMessage(result, [
    result.codes.buffer as ArrayBuffer,
    result.serials.buffer as ArrayBuffer,
    result.symbologies.buffer as ArrayBuffer,
  ]);
});
