/**
 * A frame as it travels through the pipeline: text frames as the bytes received (decoded
 * only where needed, by the classifier), binary frames
 * wrapped so nobody mistakes them for text, and lines of a recording as strings.
 */
export class BinaryFrame {
  constructor(readonly data: Uint8Array) {}
}

export type Frame = string | Uint8Array | BinaryFrame;

export function frameText(frame: string | Uint8Array): string {
  if (typeof frame === "string") return frame;
  return Buffer.from(frame.buffer, frame.byteOffset, frame.byteLength).toString("utf8");
}
