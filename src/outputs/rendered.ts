import { errorMessage } from "../errors.js";
import { OutputBuffer } from "../format/output-buffer.js";
import type { Renderer, Shown } from "../format/registry.js";
import type { Sink } from "../util/sink.js";
import type { Output } from "./output.js";

export interface RenderedOutputOptions {
  label: string;
  renderer: Renderer;
  sink: Sink;
  /** One odd event must never end a long tail: it is reported and skipped. */
  onRenderError: (message: string) => void;
  /** A closed sink is the reader going away (stdout) rather than a failure (a file). */
  closeIsQuiet: boolean;
}

/** A format's renderer writing to a sink: stdout, or a --tee file. */
export function renderedOutput(options: RenderedOutputOptions): Output {
  const { renderer, sink } = options;
  const buffer = new OutputBuffer();
  let renderFailures = 0;
  let ticking = false;
  return {
    label: options.label,
    add(shown: Shown) {
      try {
        if (renderer.write) renderer.write(shown, buffer);
        else buffer.text(renderer.render(shown.event, shown.text));
      } catch (error) {
        renderFailures++;
        if (renderFailures <= 3)
          options.onRenderError(`could not display an event: ${errorMessage(error)}`);
      }
    },
    async flush() {
      if (!buffer.empty) await sink.write(buffer.take());
    },
    tickInterval: renderer.tick ? (renderer.tickInterval ?? 250) : undefined,
    tick: renderer.tick
      ? async () => {
          if (ticking) return;
          ticking = true;
          try {
            await sink.write(renderer.tick!());
          } finally {
            ticking = false;
          }
        }
      : undefined,
    async finish() {
      if (renderer.finish && !sink.closed) {
        try {
          await sink.write(renderer.finish());
        } catch (error) {
          options.onRenderError(`could not draw the final view: ${errorMessage(error)}`);
        }
      }
      await sink.end();
    },
    get closed() {
      return options.closeIsQuiet && sink.closed;
    },
    get failure() {
      if (sink.failure) return sink.failure;
      if (!options.closeIsQuiet && sink.closed) return new Error("the file was closed");
      return undefined;
    },
  };
}
