#!/usr/bin/env node
// prepack / postpack: the published package.json carries no scripts. npm (11+) warns on
// every install of a package whose manifest has a `prepare` or install script ("not yet
// covered by allowScripts"), although a tarball install never runs `prepare`; and the
// package needs none, since dist/ is built before packing. The clone keeps `prepare`
// so that `npm install` there builds dist/.
//
//   strip    save package.json aside, then write it without "scripts"
//   restore  put the saved package.json back (also run by `strip` first, so a pack that
//            died between the two leaves nothing behind)
//
// Publish the packed tarball (`npm publish scantail-<version>.tgz`), not the folder:
// `npm publish` of a folder re-reads package.json after postpack has restored it.
import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";

const manifest = new URL("../package.json", import.meta.url);
const saved = new URL("../.package.json.prepack", import.meta.url);

function restore() {
  if (existsSync(saved)) renameSync(saved, manifest);
}

const step = process.argv[2];
if (step === "restore") {
  restore();
} else if (step === "strip") {
  restore();
  const text = readFileSync(manifest, "utf8");
  const { scripts: _scripts, ...published } = JSON.parse(text);
  writeFileSync(saved, text);
  writeFileSync(manifest, `${JSON.stringify(published, null, 2)}\n`);
} else {
  console.error("usage: pack-manifest.mjs strip|restore");
  process.exit(2);
}
