/**
 * Entry point for scripts/build.mjs: renders scantail(1) from the program --help
 * describes. Not shipped (package.json `files`); the build writes dist/scantail.1.
 */
import { Readable } from "node:stream";
import { buildProgram, VERSION } from "../cli.js";
import type { Context, OutputStream } from "../context.js";
import { Redactor } from "../util/redact.js";
import { manPage } from "./man-page.js";
import { describeProgram } from "./spec.js";

export function renderManPage(): string {
  let help = "";
  const collect: OutputStream = {
    write: (chunk) => {
      help += String(chunk);
      return true;
    },
    once: () => collect,
    on: () => collect,
    removeListener: () => collect,
  };
  const ctx: Context = {
    stdout: collect,
    stderr: collect,
    stdin: Readable.from([]),
    env: {},
    signal: new AbortController().signal,
    signalName: () => undefined,
    now: () => 0,
    cwd: "/",
    // The page describes the Linux paths (FILES names the macOS one in passing).
    platform: "linux",
    redactor: new Redactor(),
  };
  const program = buildProgram(ctx, () => {});
  // The whole of `scantail --help`, the sections added after the options included.
  program.outputHelp();
  return manPage(describeProgram(program), help, VERSION);
}
