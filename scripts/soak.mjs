// Soak: `scantail tail -o ndjson` against `scantail simulate` with its faults on (dropped
// connections, 1001 at a maximum age, resent events, malformed frames, refused
// handshakes) for N minutes, then: events in (delivered by the simulator) = events out,
// no duplicates, nothing but events on stdout, RSS flat. Not part of CI (it takes
// minutes); run `npm run soak -- --minutes 2`. Exit 0 when every check holds.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "5" },
    rate: { type: "string", default: "50" },
  },
});
const minutes = Number(values.minutes);
const rate = Number(values.rate);
if (!(minutes > 0) || !(rate > 0)) {
  console.error("usage: npm run soak -- [--minutes 5] [--rate 50]");
  process.exit(2);
}

const BIN = new URL("../bin/scantail.js", import.meta.url).pathname;
const configDir = mkdtempSync(join(tmpdir(), "scantail-soak-"));
const env = { ...process.env, SCANTAIL_CONFIG_DIR: configDir, NO_COLOR: "1" };
const faults = [
  ["--drop-after", "23s"],
  ["--max-age", "41s"],
  ["--resend", "400"],
  ["--malformed", "0.02"],
  ["--reject", "503,ok,429,ok,500"],
].flat();

const simulator = spawn(
  process.execPath,
  [BIN, "simulate", "--rate", String(rate), "--seed", "7", ...faults],
  { env, stdio: ["ignore", "pipe", "pipe"] },
);
let simulatorErr = "";
simulator.stderr.on("data", (d) => {
  simulatorErr += d;
});
const url = await new Promise((resolve, reject) => {
  let out = "";
  simulator.stdout.on("data", (d) => {
    out += d;
    if (out.includes("\n")) resolve(out.split("\n")[0].trim());
  });
  simulator.once("exit", () => reject(new Error(`simulate ended: ${simulatorErr}`)));
});

const tail = spawn(process.execPath, [BIN, "tail", "--url", url, "-o", "ndjson"], {
  env: { ...env, SCANTAIL_TOKEN: "soak-token" },
  stdio: ["ignore", "pipe", "pipe"],
});
let lines = 0;
let notEvents = 0;
let partial = "";
const seen = new Set();
let duplicates = 0;
let lastOutputAt = Date.now();
tail.stdout.setEncoding("utf8").on("data", (chunk) => {
  lastOutputAt = Date.now();
  const parts = (partial + chunk).split("\n");
  partial = parts.pop();
  for (const line of parts) {
    lines++;
    let id;
    try {
      id = JSON.parse(line).event_id;
    } catch {
      notEvents++;
      continue;
    }
    if (typeof id !== "string" || id === "") notEvents++;
    else if (seen.has(id)) duplicates++;
    else seen.add(id);
  }
});
let tailErr = "";
tail.stderr.setEncoding("utf8").on("data", (d) => {
  tailErr += d;
});
const tailExit = new Promise((resolve) => tail.once("exit", (code) => resolve(code)));

// RSS of the tail process, once a second, from /proc.
const rss = [];
const rssOf = (pid) => {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb ? Number(kb) / 1024 : undefined;
  } catch {
    return undefined;
  }
};
const sampler = setInterval(() => {
  const mb = rssOf(tail.pid);
  if (mb !== undefined) rss.push(mb);
}, 1000);

const started = Date.now();
console.error(`soak: ${minutes} min at ${rate} events/s, faults ${faults.join(" ")}`);
await new Promise((resolve) => setTimeout(resolve, minutes * 60_000));

// Stop the source first, then let the tail write what it got before stopping it.
const simulatorExit = new Promise((resolve) => simulator.once("exit", resolve));
simulator.kill("SIGTERM");
await simulatorExit;
while (Date.now() - lastOutputAt < 1500) await new Promise((r) => setTimeout(r, 250));
clearInterval(sampler);
tail.kill("SIGTERM");
const tailCode = await tailExit;
rmSync(configDir, { recursive: true, force: true });

const stats =
  /served (\d+) events over (\d+) connections \((\d+) handshakes refused\); delivered (\d+)/.exec(
    simulatorErr,
  );
if (!stats) {
  console.error(`soak: no statistics from the simulator:\n${simulatorErr}`);
  process.exit(1);
}
const [, generated, connections, refused, delivered] = stats.map(Number);
const third = Math.max(1, Math.floor(rss.length / 3));
const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
const rssFirst = mean(rss.slice(0, third));
const rssLast = mean(rss.slice(-third));
const lost = delivered - seen.size;
const warnings = tailErr.split("\n").filter((l) => /warning/.test(l)).length;

const report = {
  minutes: Number(((Date.now() - started) / 60_000).toFixed(2)),
  linesOut: lines,
  rate,
  generated,
  eventsIn: delivered,
  eventsOut: seen.size,
  lost,
  duplicates,
  nonEventLines: notEvents,
  connections,
  handshakesRefused: refused,
  tailWarnings: warnings,
  tailExit: tailCode,
  rssMbFirstThird: Number(rssFirst.toFixed(1)),
  rssMbLastThird: Number(rssLast.toFixed(1)),
  rssMbMax: Number(Math.max(...rss).toFixed(1)),
};
console.log(JSON.stringify(report, null, 2));
const ok =
  lost === 0 &&
  duplicates === 0 &&
  notEvents === 0 &&
  tailCode === 143 &&
  rssLast < rssFirst * 1.25 + 5;
console.error(ok ? "soak: ok" : "soak: FAILED");
if (!ok) console.error(tailErr.split("\n").slice(-20).join("\n"));
process.exit(ok ? 0 : 1);
