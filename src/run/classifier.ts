import type { Frame } from "../feed/frame.js";
import { type Classified, type ClassifyOptions, createClassifier } from "./classify.js";

/**
 * The classification step of the pipeline, behind an interface so the stream does not
 * care how it is done. Measured on this project's 2-core machines, a worker thread for
 * big batches saved at most 10% of a fast live tail and doubled its RSS (+100 MB), so
 * classification runs in-thread.
 */
export interface Classifier {
  classify(frames: ReadonlyArray<Frame>): Classified;
  close(): void;
}

export function openClassifier(options: ClassifyOptions): Classifier {
  const classify = createClassifier(options);
  return { classify, close() {} };
}
