#!/usr/bin/env node
// node scripts/bench-history.mjs — events per second through readHistory (the REST
// history client) from a paginated loopback server, and from the simulator's history.
// Not a test: prints figures. Bundles the TypeScript sources with esbuild first, so it
// needs no change to the main build. BENCH_EVENTS, BENCH_PAGE, BENCH_RUNS tune it.
import { mkdirSync } from "node:fs";
import { createServer } from "node:http";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { build } from "esbuild";

const root = new URL("..", import.meta.url).pathname;
const out = join(root, "bench-data", "history-bench.mjs");
mkdirSync(join(root, "bench-data"), { recursive: true });
await build({
  stdin: {
    contents: `export { readHistory } from "./src/sources/history.ts";
export { startSimulator } from "./src/simulator/server.ts";
export { EventGenerator } from "./src/simulator/generator.ts";
export { toRestItem } from "./src/simulator/history.ts";
export { gapWindow } from "./src/sources/gap.ts";`,
    resolveDir: root,
    loader: "ts",
  },
  bundle: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outfile: out,
  external: ["bufferutil", "utf-8-validate"],
  banner: {
    js: 'import { createRequire } from "node:module"; const require = createRequire(import.meta.url);',
  },
  logLevel: "warning",
});
const { readHistory, startSimulator, EventGenerator, toRestItem, gapWindow } = await import(out);

const EVENTS = Number(process.env.BENCH_EVENTS ?? 100_000);
const PAGE = Number(process.env.BENCH_PAGE ?? 100);
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// 1. A plain paginated server: pages prepared up front, so the figure is the client's.
// It ignores the window, so the client reads it in one go (the memory worst case).
const T0 = 1_780_000_000_000;
const generator = new EventGenerator({ devices: 50, seed: 1 });
const items = [];
for (let i = EVENTS - 1; i >= 0; i--) items.push(toRestItem(generator.next(T0 + i * 20)));
const pages = [];
for (let offset = 0; offset < items.length; offset += PAGE) {
  const more = offset + PAGE < items.length;
  pages.push(
    JSON.stringify({
      items: items.slice(offset, offset + PAGE),
      links: more ? { next: `/events?next_token=${offset + PAGE}` } : {},
      metadata: { size: Math.min(PAGE, items.length - offset) },
    }),
  );
}
const bytes = pages.reduce((sum, page) => sum + Buffer.byteLength(page), 0);
const server = createServer((req, res) => {
  const token = Number(new URL(req.url, "http://x").searchParams.get("next_token") ?? 0);
  res.writeHead(200, { "Content-Type": "application/json" });
  res.end(pages[token / PAGE]);
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const baseUrl = `http://127.0.0.1:${server.address().port}`;

async function drain(options) {
  const started = performance.now();
  let count = 0;
  const rssBefore = process.memoryUsage().rss;
  let peak = rssBefore;
  for await (const _ of readHistory({
    customer: "c1",
    tokenKind: "access",
    getToken: async () => "bench-token",
    ...options,
  })) {
    count++;
    if ((count & 1023) === 0) peak = Math.max(peak, process.memoryUsage().rss);
  }
  peak = Math.max(peak, process.memoryUsage().rss);
  return { count, ms: performance.now() - started, rss: peak - rssBefore };
}

console.log(`readHistory bench: node ${process.version}`);
const runs = [];
for (let i = 0; i < RUNS + 1; i++) {
  const run = await drain({ baseUrl, since: 0, until: T0 + EVENTS * 20 });
  if (run.count !== EVENTS) throw new Error(`expected ${EVENTS} events, got ${run.count}`);
  if (i > 0) runs.push(run); // the first run warms up
}
const ms = median(runs.map((r) => r.ms));
console.log(
  `  paginated loopback server: ${EVENTS} events in ${pages.length} pages of ${PAGE} (${(bytes / 1e6).toFixed(1)} MB):` +
    ` median ${ms.toFixed(0)} ms = ${Math.round(EVENTS / (ms / 1000))} events/s, ${Math.round(pages.length / (ms / 1000))} pages/s;` +
    ` RSS growth up to ${(Math.max(...runs.map((r) => r.rss)) / 1e6).toFixed(0)} MB`,
);
server.close();

// 2. The simulator's history (events generated on demand) through the same client.
const sim = await startSimulator({ rate: 25, devices: 50, seed: 1, historyPageSize: PAGE });
const until = Date.now();
const simRuns = [];
for (let i = 0; i < 3; i++)
  simRuns.push(await drain({ baseUrl: sim.baseUrl, since: until - 3_600_000, until }));
const simMs = median(simRuns.map((r) => r.ms));
const simCount = simRuns[0].count;
console.log(
  `  simulator history, 1 h at 25 events/s (4 slices of 15 min): ${simCount} events, median ${simMs.toFixed(0)} ms = ${Math.round(simCount / (simMs / 1000))} events/s (first run ${simRuns[0].ms.toFixed(0)} ms, generation included); RSS growth up to ${(Math.max(...simRuns.map((r) => r.rss)) / 1e6).toFixed(0)} MB`,
);
await sim.close();

// 3. What a gap fill adds after a reconnect: reading (last event − 1 min … reconnect)
// from the simulator, for a 5 s outage, at the demo's default rate and busier ones.
for (const rate of [5, 50, 500]) {
  const gapSim = await startSimulator({ rate, devices: 50, seed: 1, historyPageSize: PAGE });
  const times = [];
  let count = 0;
  for (let i = 0; i < 5; i++) {
    const reconnectedAt = Date.now();
    const window = gapWindow({ lastEventAt: reconnectedAt - 5000, connectedAt: 0, reconnectedAt });
    const run = await drain({ baseUrl: gapSim.baseUrl, ...window });
    times.push(run.ms);
    count = run.count;
  }
  console.log(
    `  gap fill of a 5 s outage at ${rate} events/s: ${count} events in the window (1 min margin + gap), median ${median(times).toFixed(0)} ms`,
  );
  await gapSim.close();
}
