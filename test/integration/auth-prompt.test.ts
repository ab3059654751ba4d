import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { BIN } from "../helpers/spawn-bin.js";

/* The login prompts in a real terminal (tmux): one Ctrl-C must end the command. */
const SOCKET = `scantail-prompt-${process.pid}`;
const tmux = (...args: string[]) =>
  execFileSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8" });
const configDir = mkdtempSync(join(tmpdir(), "scantail-prompt-"));
let sessions = 0;

afterAll(() => {
  try {
    tmux("kill-server");
  } catch {
    // Already gone.
  }
  rmSync(configDir, { recursive: true, force: true });
});

function start(args: string): string {
  const name = `p${++sessions}`;
  tmux(
    "new-session",
    "-d",
    "-s",
    name,
    "-x",
    "100",
    "-y",
    "20",
    `env NO_COLOR=1 SCANTAIL_CONFIG_DIR=${configDir} node ${BIN} ${args}; echo "[exit $?]"; sleep 60`,
  );
  return name;
}

async function until(name: string, test: (text: string) => boolean, what: string) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = tmux("capture-pane", "-p", "-t", name);
    if (test(text)) return text;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${text}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("Ctrl-C at a login prompt (tmux)", () => {
  it.each([
    ["the base URL prompt (a visible answer)", "login", "Insight base URL:"],
    [
      "the hidden password prompt",
      "login --base-url http://127.0.0.1:9/ --customer 1 --username u@example.com",
      "password:",
    ],
    [
      "--password-stdin waiting on the terminal",
      "login --base-url http://127.0.0.1:9/ --customer 1 --username u@example.com --password-stdin",
      "reading the password from stdin",
    ],
  ])("%s: the first Ctrl-C exits 130", async (_what, args, prompt) => {
    const s = start(args);
    await until(s, (t) => t.includes(prompt), "the prompt");
    tmux("send-keys", "-t", s, "typed", "");
    tmux("send-keys", "-t", s, "C-c");
    const screen = await until(s, (t) => /\[exit \d+\]/.test(t), "the command to end");
    expect(screen).toMatch(/\[exit 130\]/);
    expect(screen).toMatch(/cancelled/);
    expect(screen).not.toMatch(/\n\s+at /);
  });
});
