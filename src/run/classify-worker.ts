/**
 * Worker thread: classifies batches of frames off the main thread, so JSON.parse of a
 * fast feed runs on the second core while the main thread reads the socket and writes
 * stdout. Messages: {options} once, then {id, frames} → {id, result}.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type ClassifyOptions, createClassifier } from "./classify.js";

const classify = createClassifier(workerData as ClassifyOptions);
parentPort!.on("message", (message: { id: number; frames: Array<string | Uint8Array> }) => {
  const result = classify(message.frames);
  parentPort!.postMessage({ id: message.id, result });
});
