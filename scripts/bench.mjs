#!/usr/bin/env node
// npm run bench — performance of scantail as ratios against baselines measured in the
// same run (these machines are shared and noisy: absolute times mean little). Each pair
// is measured interleaved, warm-up runs excluded, medians reported. Not a test: it
// prints figures and marks each goal, and exits 1 if a goal is missed.
import { spawn, spawnSync } from "node:child_process";
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { WebSocketServer } from "ws";
import { cachedNodes } from "./node-versions.mjs";

const root = new URL("..", import.meta.url).pathname;
const BIN = join(root, "bin/scantail.js");
const DIR = join(root, "bench-data");
const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const RUNS = Number(process.env.BENCH_RUNS ?? 7);
const quick = process.argv.includes("--quick");
// BENCH_ONLY=startup,replay,live,memory,latency,forward runs a subset (while working on one).
const only = process.env.BENCH_ONLY?.split(",");
const want = (section) => !only || only.includes(section);
mkdirSync(DIR, { recursive: true });
// A clean environment for every child: NODE_OPTIONS or NODE_EXTRA_CA_CERTS (set on many
// corporate machines, and on this one) add tens of milliseconds to every Node start, the
// baseline's too, and so would shrink every start-up ratio.
const { NODE_OPTIONS, NODE_EXTRA_CA_CERTS, ...cleanEnv } = process.env;
const env = { ...cleanEnv, SCANTAIL_CONFIG_DIR: join(DIR, "config"), NO_COLOR: "1" };
const results = [];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const ms = (x) => `${x.toFixed(x < 10 ? 2 : 0)} ms`;

/** Shell command with output to a file (not /dev/null: GNU grep stops early there). */
function timeShell(script) {
  const started = performance.now();
  const r = spawnSync("bash", ["-c", script], { env, stdio: ["ignore", "ignore", "pipe"] });
  const took = performance.now() - started;
  if (r.status !== 0) throw new Error(`${script} exited ${r.status}: ${r.stderr}`);
  return took;
}

/**
 * Runs each candidate `runs` times interleaved (after one warm-up each, which fills the
 * file cache) and returns the medians. Candidates may be sync or async.
 */
async function compare(label, candidates, runs = RUNS) {
  const times = Object.fromEntries(Object.keys(candidates).map((k) => [k, []]));
  for (const run of Object.values(candidates)) await run();
  for (let i = 0; i < runs; i++)
    for (const [k, run] of Object.entries(candidates)) times[k].push(await run());
  const med = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
  console.log(`\n${label}`);
  for (const [k, v] of Object.entries(med))
    console.log(
      `  ${k.padEnd(44)} ${ms(v).padStart(10)}  (runs: ${times[k].map((t) => t.toFixed(0)).join(" ")})`,
    );
  return med;
}

function goal(name, value, limit, unit = "×") {
  const ok = value <= limit;
  results.push({ name, value, limit, ok, unit });
  console.log(
    `  → ${name}: ${value.toFixed(unit === "×" ? 3 : 1)}${unit} (goal ≤ ${limit}${unit}) ${ok ? "OK" : "MISSED"}`,
  );
}

// ---- machine and data ------------------------------------------------------------
const has = (c) => spawnSync("bash", ["-c", `command -v ${c}`]).status === 0;
console.log("scantail benchmark");
console.log(
  `  machine: ${cpus()[0]?.model ?? "?"} × ${cpus().length}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB`,
);
console.log(
  `  node ${process.version}; jq ${has("jq") ? spawnSync("jq", ["--version"]).stdout.toString().trim() : "missing"}; grep ${spawnSync("grep", ["--version"]).stdout.toString().split("\n")[0]}`,
);

if (NODE_OPTIONS || NODE_EXTRA_CA_CERTS)
  console.log(
    `  children run without ${[NODE_OPTIONS && "NODE_OPTIONS", NODE_EXTRA_CA_CERTS && "NODE_EXTRA_CA_CERTS"].filter(Boolean).join(" and ")} (set here): they slow every Node start alike`,
  );

const { EventGenerator } = await import(join(root, "dist/bench-support.js"));
const data = join(DIR, `events-${EVENTS}.ndjson`);
const generator = new EventGenerator({ devices: 50, seed: 1 });
const sample = generator.next(1_700_000_000_000);
if (!existsSync(data)) {
  const g = new EventGenerator({ devices: 50, seed: 1 });
  const lines = [];
  for (let i = 0; i < EVENTS; i++) lines.push(JSON.stringify(g.next(1_700_000_000_000 + i * 50)));
  writeFileSync(data, `${lines.join("\n")}\n`);
}
const size = statSync(data).size;
const serial = sample.device_serial;
console.log(
  `  data: ${EVENTS} events, ${(size / 1e6).toFixed(1)} MB (${Math.round(size / EVENTS)} bytes/event), 50 devices; filter serial ${serial}`,
);

// ---- 1. start-up, on every Node line at hand ----------------------------------------
// The machine's Node, then each one scripts/node-versions.mjs has put in its cache.
const node = process.execPath;
const bareClient = join(DIR, "bare-client.mjs");
writeFileSync(
  bareClient,
  `import WebSocket from ${JSON.stringify(join(root, "node_modules/ws/index.js"))};
const n = Number(process.argv[3]);
let seen = 0;
const ws = new WebSocket(process.argv[2], { perMessageDeflate: false });
ws.on("message", (d) => {
  process.stdout.write(d.toString() + "\\n");
  if (++seen === n) ws.close();
});
`,
);
/** A local feed that sends one event the moment a client connects. */
async function oneEventFeed() {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  await new Promise((resolve) => wss.on("listening", resolve));
  const frame = JSON.stringify(sample);
  wss.on("connection", (ws) => ws.send(frame));
  return { wss, url: `ws://127.0.0.1:${wss.address().port}/latest/` };
}

/**
 * Wall and CPU milliseconds of one child, as bash's `time` sees them (from its fork to
 * its exit; bash's own start is outside). CPU time (user + system) hardly moves when
 * other work shares the machine, so it is printed beside the wall time as a cross-check.
 */
function timed(cmd, args, extraEnv = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(
      "bash",
      ["-c", 'TIMEFORMAT="%3R %3U %3S"; time "$@" >/dev/null 2>&1', "bash", cmd, ...args],
      { env: { ...env, ...extraEnv }, stdio: ["ignore", "ignore", "pipe"] },
    );
    let report = "";
    child.stderr.on("data", (chunk) => {
      report += chunk;
    });
    child.on("exit", (code) => {
      const m = /([\d.]+) ([\d.]+) ([\d.]+)\s*$/.exec(report);
      if (code !== 0 || !m) reject(new Error(`${cmd} ${args.join(" ")} exited ${code}`));
      else resolve({ wall: Number(m[1]) * 1000, cpu: (Number(m[2]) + Number(m[3])) * 1000 });
    });
  });
}

/** Time from start to exit of a client that stops after the first event of a local feed. */
async function timedFirstEvent(nodePath, args) {
  const { wss, url } = await oneEventFeed();
  try {
    return await timed(nodePath, args(url), { SCANTAIL_TOKEN: "bench" });
  } finally {
    for (const c of wss.clients) c.terminate();
    wss.close();
  }
}

if (want("startup")) {
  const majorOf = (version) => version.replace(/^v/, "").split(".")[0];
  const lines = [{ major: majorOf(process.version), node }];
  for (const cached of cachedNodes())
    if (!lines.some((l) => l.major === cached.major)) lines.push(cached);
  if (lines.length === 1)
    console.log("\n(only this Node: `node scripts/node-versions.mjs` fetches 22, 24 and 26)");
  const runs = quick ? 7 : 21;
  for (const { node: nodePath } of lines) {
    const version = spawnSync(nodePath, ["--version"], { encoding: "utf8" }).stdout.trim();
    const candidates = {
      "node -e 0": () => timed(nodePath, ["-e", "0"]),
      "scantail --version": () => timed(nodePath, [BIN, "--version"]),
      "scantail --help": () => timed(nodePath, [BIN, "--help"]),
      "bare ws client: first event": () =>
        timedFirstEvent(nodePath, (url) => [bareClient, url, "1"]),
      "scantail -o ndjson -n 1: first event": () =>
        timedFirstEvent(nodePath, (url) => [BIN, "--url", url, "-o", "ndjson", "-n", "1"]),
    };
    const wall = Object.fromEntries(Object.keys(candidates).map((k) => [k, []]));
    const cpu = Object.fromEntries(Object.keys(candidates).map((k) => [k, []]));
    for (const run of Object.values(candidates)) await run();
    for (let i = 0; i < runs; i++)
      for (const [k, run] of Object.entries(candidates)) {
        const t = await run();
        wall[k].push(t.wall);
        cpu[k].push(t.cpu);
      }
    console.log(`\nstart-up on Node ${version} (medians of ${runs} interleaved runs)`);
    console.log(`  ${"".padEnd(40)} ${"wall".padStart(9)} ${"cpu".padStart(9)}`);
    for (const k of Object.keys(candidates))
      console.log(
        `  ${k.padEnd(40)} ${ms(median(wall[k])).padStart(9)} ${ms(median(cpu[k])).padStart(9)}`,
      );
    const ratio = (a, b) => median(wall[a]) / median(wall[b]);
    const cpuRatio = (a, b) => (median(cpu[a]) / median(cpu[b])).toFixed(2);
    goal(`${version} --version / node -e 0`, ratio("scantail --version", "node -e 0"), 1.2);
    console.log(`    (cpu ${cpuRatio("scantail --version", "node -e 0")}×)`);
    goal(`${version} --help / node -e 0`, ratio("scantail --help", "node -e 0"), 1.3);
    console.log(`    (cpu ${cpuRatio("scantail --help", "node -e 0")}×)`);
    const first = ["scantail -o ndjson -n 1: first event", "bare ws client: first event"];
    goal(`${version} first event / bare ws client`, ratio(...first), 1.0);
    console.log(`    (cpu ${cpuRatio(...first)}×)`);
  }
}

// ---- 2. filtered replay vs jq and grep -F ---------------------------------------
const out = (name) => join(DIR, `out-${name}`);
if (want("replay")) {
  const filtered = await compare(
    `filtered replay (--serial ${serial})`,
    {
      "scantail replay --serial -o ndjson": () =>
        timeShell(
          `"${node}" "${BIN}" replay "${data}" --serial ${serial} -o ndjson > "${out("st")}"`,
        ),
      ...(has("jq")
        ? {
            "jq -c select(.device_serial==…)": () =>
              timeShell(`jq -c 'select(.device_serial=="${serial}")' "${data}" > "${out("jq")}"`),
          }
        : {}),
      "grep -F": () => timeShell(`grep -F ${serial} "${data}" > "${out("grep")}"`),
    },
    quick ? 3 : RUNS,
  );
  if (has("jq")) {
    const same = readFileSync(out("st"), "utf8") === readFileSync(out("jq"), "utf8");
    console.log(`  output identical to jq's: ${same ? "yes" : "NO"}`);
    if (!same) results.push({ name: "filtered replay output equals jq", ok: false });
    goal(
      "filtered replay / jq",
      filtered["scantail replay --serial -o ndjson"] / filtered["jq -c select(.device_serial==…)"],
      0.15,
    );
  }
  goal(
    "filtered replay / grep -F",
    filtered["scantail replay --serial -o ndjson"] / filtered["grep -F"],
    4,
  );

  const unfiltered = await compare(
    "unfiltered replay",
    {
      "scantail replay -o ndjson": () =>
        timeShell(`"${node}" "${BIN}" replay "${data}" -o ndjson > "${out("all")}"`),
      cat: () => timeShell(`cat "${data}" > "${out("cat")}"`),
    },
    quick ? 3 : RUNS,
  );
  console.log(
    `  → unfiltered replay / cat: ${(unfiltered["scantail replay -o ndjson"] / unfiltered.cat).toFixed(1)}× (reported, no goal); output identical to input: ${readFileSync(out("all")).equals(readFileSync(data)) ? "yes" : "NO"}`,
  );
}

// ---- 3. live throughput over loopback -------------------------------------------
const frames = readFileSync(data, "utf8").trimEnd().split("\n");
async function livePush() {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  await new Promise((resolve) => wss.on("listening", resolve));
  wss.on("connection", async (ws) => {
    // As fast as the socket allows: keep the kernel buffer full, never unbounded.
    let i = 0;
    const pump = () => {
      while (i < frames.length) {
        ws.send(frames[i++]);
        if (ws.bufferedAmount > 4 * 1024 * 1024) return setTimeout(pump, 1);
      }
    };
    pump();
  });
  return { wss, url: `ws://127.0.0.1:${wss.address().port}/latest/` };
}
async function timeLive(args) {
  const { wss, url } = await livePush();
  const started = performance.now();
  const child = spawn(node, [...args(url)], {
    env: { ...env, SCANTAIL_TOKEN: "bench" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const code = await new Promise((resolve) => child.on("exit", resolve));
  const took = performance.now() - started;
  for (const c of wss.clients) c.terminate();
  wss.close();
  if (code !== 0) throw new Error(`live run exited ${code}`);
  return took;
}
if (want("live")) {
  const live = await compare(
    `live: ${frames.length} events pushed over loopback`,
    {
      "scantail -o ndjson --count N >/dev/null": () =>
        timeLive((url) => [BIN, "--url", url, "-o", "ndjson", "--count", String(frames.length)]),
      "bare ws client writing each frame": () =>
        timeLive((url) => [bareClient, url, String(frames.length)]),
    },
    quick ? 3 : 5,
  );
  goal(
    "live ndjson / bare client",
    live["scantail -o ndjson --count N >/dev/null"] / live["bare ws client writing each frame"],
    1.25,
  );
}

// ---- 4. memory: peak RSS of a pretty replay --------------------------------------
async function peakRss(args) {
  const child = spawn(node, args, {
    env,
    stdio: ["ignore", createWriteStream(out("pretty")) ? "pipe" : "ignore", "ignore"],
  });
  const sink = createWriteStream(out("pretty"));
  child.stdout.pipe(sink);
  let peak = 0;
  const poll = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      peak = Math.max(peak, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
    } catch {}
  }, 5);
  await new Promise((resolve) => child.on("exit", resolve));
  clearInterval(poll);
  return peak / 1024;
}
if (want("memory")) {
  const rss = [];
  for (let i = 0; i < 3; i++)
    rss.push(await peakRss([BIN, "replay", data, "-o", "pretty", "--color", "always"]));
  const baseRss = await peakRss(["-e", "setTimeout(()=>{},200)"]);
  console.log(
    `\nmemory: peak RSS of a ${EVENTS}-event -o pretty replay: ${median(rss).toFixed(0)} MB (bare node: ${baseRss.toFixed(0)} MB)`,
  );
  goal("pretty replay peak RSS", median(rss), 100, " MB");
}

// ---- 4b. memory over a long live run -------------------------------------------------
if (want("memory")) {
  // Three times the data set over one connection (event ids made unique per round), RSS
  // sampled all along: memory must not grow with the number of events seen.
  const rounds = 3;
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  await new Promise((resolve) => wss.on("listening", resolve));
  wss.on("connection", (ws) => {
    let r = 0;
    let i = 0;
    const pump = () => {
      while (r < rounds) {
        ws.send(frames[i].replace('"event_id":"', `"event_id":"r${r}-`));
        if (++i === frames.length) {
          i = 0;
          r++;
        }
        if (ws.bufferedAmount > 4 * 1024 * 1024) return setTimeout(pump, 1);
      }
    };
    pump();
  });
  const url = `ws://127.0.0.1:${wss.address().port}/latest/`;
  const child = spawn(
    node,
    [BIN, "--url", url, "-o", "ndjson", "--count", String(rounds * frames.length)],
    {
      env: { ...env, SCANTAIL_TOKEN: "bench" },
      stdio: ["ignore", "ignore", "inherit"],
    },
  );
  const samples = [];
  const poll = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, "utf8");
      samples.push(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
    } catch {}
  }, 20);
  await new Promise((resolve) => child.on("exit", resolve));
  clearInterval(poll);
  wss.close();
  const third = Math.floor(samples.length / 3);
  const middle = median(samples.slice(third, 2 * third));
  const last = median(samples.slice(2 * third));
  console.log(
    `\nmemory over a ${rounds * frames.length}-event live run: RSS median ${middle.toFixed(0)} MB in the middle third, ${last.toFixed(0)} MB in the last (${samples.length} samples)`,
  );
  goal("live RSS last third / middle third (flat)", last / middle, 1.2);
}

// ---- 5. latency at 1000 events/s -------------------------------------------------
async function latency(args, seconds = quick ? 2 : 5) {
  const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
  await new Promise((resolve) => wss.on("listening", resolve));
  const url = `ws://127.0.0.1:${wss.address().port}/latest/`;
  const total = 1000 * seconds;
  wss.on("connection", (ws) => {
    let i = 0;
    const started = performance.now();
    const tick = () => {
      const due = Math.min(total, Math.floor((performance.now() - started) * 1)); // 1 per ms
      while (i < due) {
        const e = {
          ...sample,
          event_id: `lat-${i}`,
          bench_sent: performance.timeOrigin + performance.now(),
        };
        ws.send(JSON.stringify(e));
        i++;
      }
      if (i < total) setTimeout(tick, 1);
    };
    tick();
  });
  const child = spawn(node, args(url, total), {
    env: { ...env, SCANTAIL_TOKEN: "bench" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const delays = [];
  let rest = "";
  child.stdout.setEncoding("utf8");
  child.stdout.on("data", (chunk) => {
    const now = performance.timeOrigin + performance.now();
    const text = rest + chunk;
    const lines = text.split("\n");
    rest = lines.pop();
    for (const line of lines) {
      const m = /"bench_sent":([\d.]+)/.exec(line);
      if (m) delays.push(now - Number(m[1]));
    }
  });
  await new Promise((resolve) => child.on("exit", resolve));
  wss.close();
  return { p50: pct(delays, 50), p99: pct(delays, 99), n: delays.length };
}
if (want("latency")) {
  const latS = await latency((url, n) => [BIN, "--url", url, "-o", "ndjson", "--count", String(n)]);
  const latB = await latency((url, n) => [bareClient, url, String(n)]);
  console.log(`\nlatency at 1000 events/s, frame sent → line read from stdout (${latS.n} events):`);
  console.log(`  scantail      p50 ${ms(latS.p50)}  p99 ${ms(latS.p99)}`);
  console.log(`  bare client   p50 ${ms(latB.p50)}  p99 ${ms(latB.p99)}`);
  console.log(
    `  → added by scantail: p50 ${ms(latS.p50 - latB.p50)}, p99 ${ms(latS.p99 - latB.p99)} (reported, no goal)`,
  );
}

// ---- 6. forward: deliveries per second vs tail -o ndjson of the same feed ---------------
/**
 * `scantail forward` into a local webhook (one keep-alive POST per event, each awaited)
 * and into JetStream (a real nats-server, acknowledged publishes), each against
 * `tail -o ndjson` of the same frames in the same run. Reported, no goal: a webhook's
 * round trip per event is the price of ordered, at-least-once delivery.
 */
async function benchForward() {
  const { createServer } = await import("node:http");
  const { createServer: createTcpServer } = await import("node:net");
  const { mkdtempSync } = await import("node:fs");
  const { tmpdir } = await import("node:os");
  const count = Number(process.env.BENCH_FORWARD_EVENTS ?? (quick ? 2000 : 10_000));
  const feed = frames.slice(0, count);
  const push = async () => {
    const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });
    await new Promise((resolve) => wss.on("listening", resolve));
    wss.on("connection", (ws) => {
      let i = 0;
      const pump = () => {
        while (i < feed.length) {
          ws.send(feed[i++]);
          if (ws.bufferedAmount > 4 * 1024 * 1024) return setTimeout(pump, 1);
        }
      };
      pump();
    });
    return { wss, url: `ws://127.0.0.1:${wss.address().port}/latest/` };
  };
  const timeRun = async (args) => {
    const { wss, url } = await push();
    const started = performance.now();
    const child = spawn(node, [BIN, "--url", url, "--count", String(count), ...args], {
      env: { ...env, SCANTAIL_TOKEN: "bench" },
      stdio: ["ignore", "ignore", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const code = await new Promise((resolve) => child.on("exit", resolve));
    const took = performance.now() - started;
    for (const c of wss.clients) c.terminate();
    wss.close();
    if (code !== 0) throw new Error(`scantail ${args.join(" ")} exited ${code}: ${stderr}`);
    return took;
  };
  const receiver = createServer((req, res) => {
    req.resume();
    req.on("end", () => res.end());
  });
  await new Promise((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const hook = `http://127.0.0.1:${receiver.address().port}/hook`;

  let nats;
  if (has("nats-server")) {
    const probe = createTcpServer();
    await new Promise((resolve) => probe.listen(0, "127.0.0.1", resolve));
    const port = probe.address().port;
    await new Promise((resolve) => probe.close(resolve));
    const store = mkdtempSync(join(tmpdir(), "scantail-bench-nats-"));
    const proc = spawn(
      "nats-server",
      ["-js", "-a", "127.0.0.1", "-p", String(port), "-sd", store],
      {
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let log = "";
    await new Promise((resolve, reject) => {
      proc.stderr.on("data", (d) => {
        log += d;
        if (log.includes("Server is ready")) resolve();
      });
      proc.on("exit", (c) => reject(new Error(`nats-server exited ${c}: ${log}`)));
    });
    nats = { proc, store, url: `nats://127.0.0.1:${port}` };
  }
  // A fresh stream per run: a second run into the same stream would only be deduplicated.
  let streams = 0;
  const candidates = {
    "scantail -o ndjson --count N >/dev/null": () => timeRun(["-o", "ndjson"]),
    "scantail forward http://… (webhook)": () => timeRun(["forward", hook]),
    ...(nats
      ? {
          "scantail forward nats://… (JetStream)": () => {
            streams++;
            return timeRun([
              "forward",
              nats.url,
              "--subject",
              `bench.run${streams}`,
              "--create-stream",
              `BENCH${streams}`,
            ]);
          },
        }
      : {}),
  };
  try {
    const times = await compare(
      `forward: ${count} events pushed over loopback`,
      candidates,
      quick ? 3 : 5,
    );
    const rate = (key) => count / (times[key] / 1000);
    const tail = rate("scantail -o ndjson --count N >/dev/null");
    const webhook = rate("scantail forward http://… (webhook)");
    const js = nats ? rate("scantail forward nats://… (JetStream)") : undefined;
    const line = `forward: webhook ${webhook.toFixed(0)} events/s (${(webhook / tail).toFixed(3)}× tail -o ndjson's ${tail.toFixed(0)}/s); JetStream ${js === undefined ? "skipped (no nats-server)" : `${js.toFixed(0)} events/s (${(js / tail).toFixed(3)}×)`}`;
    console.log(`  → ${line} (reported, no goal)`);
    results.push({ name: line, ok: true });
  } finally {
    receiver.close();
    if (nats) {
      nats.proc.kill("SIGTERM");
      await new Promise((resolve) => nats.proc.once("exit", resolve));
      rmSync(nats.store, { recursive: true, force: true });
    }
  }
}
if (want("forward")) await benchForward();

// ---- summary ------------------------------------------------------------------------
console.log("\nsummary");
for (const r of results)
  console.log(
    `  ${r.ok ? "OK    " : "MISSED"} ${r.name}${r.value !== undefined ? `: ${r.value.toFixed(r.unit === "×" ? 3 : 1)}${r.unit} (goal ≤ ${r.limit}${r.unit})` : ""}`,
  );
for (const f of ["st", "jq", "grep", "all", "cat", "pretty"]) rmSync(out(f), { force: true });
// The generated recording is kept for the next run (it takes a while to make): say where,
// and remove it all with --clean.
if (process.argv.includes("--clean")) {
  rmSync(DIR, { recursive: true, force: true });
  console.log("\nremoved bench-data/");
} else {
  console.log(
    "\nbench data kept in bench-data/ for the next run (npm run bench -- --clean removes it)",
  );
}
process.exitCode = results.every((r) => r.ok) ? 0 : 1;
