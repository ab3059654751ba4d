#!/usr/bin/env node
// npm run check-package (and .ci/run): packs the package as `npm publish` would, then
// installs the tarball globally as a user would — offline, with an empty npm cache, into
// a temporary prefix — and proves that it installs without a word of warning, ships
// only what runs, and works: `scantail demo -n 3 -o ndjson` prints three events and the
// man page renders. Not a vitest test: packing rebuilds dist/ (prepack), which would pull
// the binary from under the tests that run at the same time.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), "scantail-package-"));
const failures = [];
const check = (ok, what) => {
  console.log(`  ${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures.push(what);
};

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", ...options });
  if (r.error) throw r.error;
  return r;
}

try {
  const cache = join(work, "empty-cache");
  const prefix = join(work, "prefix");
  mkdirSync(cache);
  const packed = run("npm", ["pack", "--json", "--pack-destination", work], {
    cwd: root,
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (packed.status !== 0) throw new Error(`npm pack exited ${packed.status}`);
  // npm pack --json prints the lifecycle scripts' output before the JSON.
  const [info] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf("[")));
  const files = info.files.map((f) => f.path);
  console.log(
    `${info.filename}: ${(info.size / 1000).toFixed(0)} kB packed, ${(info.unpackedSize / 1000).toFixed(0)} kB unpacked, ${files.length} files`,
  );
  check(
    files.every((f) => /^(bin\/|dist\/|LICENSE$|README\.md$|package\.json$)/.test(f)),
    "ships only bin/, dist/, LICENSE, README.md, package.json",
  );
  check(!files.some((f) => f.endsWith(".map")), "no source maps");
  check(!files.includes("dist/bench-support.js"), "no benchmark support code");
  check(files.includes("LICENSE"), "LICENSE included");
  check(files.includes("dist/scantail.1"), "man page included");
  check(!info.bundled?.length && info.entryCount > 0, "no bundled node_modules");

  const install = run(
    "npm",
    [
      "install",
      "-g",
      "--offline",
      "--no-audit",
      "--no-fund",
      // npm's own "new version available" notice is not the package's doing.
      "--no-update-notifier",
      "--cache",
      cache,
      "--prefix",
      prefix,
      join(work, info.filename),
    ],
    // The user's npm settings (a logs directory, allow-scripts…) stay out of it.
    { env: { ...process.env, npm_config_userconfig: join(work, "npmrc") } },
  );
  check(
    install.status === 0,
    `npm install -g --offline of the tarball exits 0 (${install.status})`,
  );
  check(
    install.stderr.trim() === "",
    `npm install -g prints nothing on stderr${install.stderr.trim() ? `:\n${install.stderr}` : ""}`,
  );
  check(/added 1 package/.test(install.stdout), "it installs one package: no dependencies");

  const demo = run(join(prefix, "bin", "scantail"), ["demo", "-n", "3", "-o", "ndjson"], {
    env: { ...process.env, SCANTAIL_CONFIG_DIR: join(work, "config") },
    timeout: 20_000,
  });
  const lines = demo.stdout.trimEnd().split("\n");
  check(
    demo.status === 0 && lines.length === 3 && lines.every((l) => JSON.parse(l).event_id),
    `installed scantail demo -n 3 -o ndjson prints 3 events (exit ${demo.status}${demo.stderr ? `; ${demo.stderr.trim()}` : ""})`,
  );

  // npm links the page into <prefix>/share/man/man1 (package.json "man").
  const page = join(prefix, "share", "man", "man1", "scantail.1");
  const man = run("man", ["-l", page], { env: { ...process.env, MANPAGER: "cat" } });
  check(
    man.status === 0 && /EXIT STATUS/.test(man.stdout),
    `man -l <prefix>/share/man/man1/scantail.1 renders (exit ${man.status})`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}

if (failures.length > 0) {
  console.error(`check-package: ${failures.length} check(s) failed`);
  process.exitCode = 1;
}
