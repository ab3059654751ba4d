#!/usr/bin/env node
// Mutation score per folder and in total from one or more Stryker JSON reports
// (`reports/mutation/mutation.json`, or the reports of runs narrowed with --mutate).
// A file found in several reports counts from the last one given. A report made from
// other source than the file now has is named: its figures no longer describe the code.
//   node scripts/mutation-score.mjs reports/a.json reports/b.json
import { existsSync, readFileSync } from "node:fs";

const files = new Map();
const stale = new Map();
for (const path of process.argv.slice(2)) {
  const report = JSON.parse(readFileSync(path, "utf8"));
  for (const [name, file] of Object.entries(report.files)) {
    files.set(name, file.mutants);
    const now = existsSync(name) ? readFileSync(name, "utf8") : undefined;
    if (now !== file.source) stale.set(name, path);
    else stale.delete(name);
  }
}
if (files.size === 0) {
  console.error("usage: node scripts/mutation-score.mjs <stryker-report.json>...");
  process.exit(2);
}

const DETECTED = new Set(["Killed", "Timeout"]);
const UNDETECTED = new Set(["Survived", "NoCoverage"]);
const tally = () => ({ detected: 0, undetected: 0, ignored: 0, errors: 0 });
const byFolder = new Map();
const total = tally();
for (const [name, mutants] of [...files].sort(([a], [b]) => a.localeCompare(b))) {
  const folder = name.split("/").slice(0, 2).join("/");
  const counts = byFolder.get(folder) ?? tally();
  byFolder.set(folder, counts);
  for (const { status } of mutants) {
    const key = DETECTED.has(status)
      ? "detected"
      : UNDETECTED.has(status)
        ? "undetected"
        : status === "Ignored"
          ? "ignored"
          : "errors";
    counts[key]++;
    total[key]++;
  }
}
const score = (c) => ((100 * c.detected) / Math.max(1, c.detected + c.undetected)).toFixed(1);
const row = (label, c) =>
  `${label.padEnd(14)} ${`${score(c)}%`.padStart(6)}  ${String(c.detected).padStart(5)} of ${String(c.detected + c.undetected).padEnd(5)} ignored ${c.ignored}${c.errors ? `, errors ${c.errors}` : ""}`;
for (const [folder, counts] of byFolder) console.log(row(folder, counts));
console.log(row("total", total));
for (const [name, report] of stale) console.log(`stale: ${name} has changed since ${report}`);
if (stale.size > 0) process.exitCode = 1;
