const NEWLINE = new Uint8Array([10]);

/**
 * One batch's output for one destination: text, or the bytes of live frames as received,
 * so a frame that is already its own NDJSON line is never decoded and encoded again on
 * its way out.
 */
export class OutputBuffer {
  private parts: Array<string | Uint8Array> = [];
  private bytes = false;

  /** A line without its newline: a string, or the received bytes. */
  line(line: string | Uint8Array): void {
    if (typeof line === "string") this.parts.push(`${line}\n`);
    else {
      this.parts.push(line, NEWLINE);
      this.bytes = true;
    }
  }

  /** Text that brings its own newlines (a rendered event). */
  text(text: string): void {
    if (text.length) this.parts.push(text);
  }

  get empty(): boolean {
    return this.parts.length === 0;
  }

  /** Everything appended since the last take, as one chunk to write. */
  take(): string | Buffer {
    const parts = this.parts;
    const bytes = this.bytes;
    this.parts = [];
    this.bytes = false;
    if (!bytes) return parts.join("");
    return Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p) : p)));
  }
}
