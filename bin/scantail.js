#!/usr/bin/env node
// CommonJS on purpose (bin/package.json): `scantail --version`, run by scripts and shell
// prompts, is answered here before Node starts its ES module loader, which on Node 20
// alone costs about a fifth of a bare `node -e 0` (README, Performance). Everything else
// is the ES module build in dist/.
const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === "--version" || args[0] === "-V")) {
  try {
    // fs.writeSync: setting up process.stdout costs more than the rest of this file.
    require("node:fs").writeSync(1, `${require("../package.json").version}\n`);
  } catch {
    // A reader that went away (EPIPE) needs no version.
  }
} else {
  // Node 22+ keeps the compiled code of dist/ on disk between runs, so --help and the
  // first event come sooner (npm run bench). Missing on Node 20.
  require("node:module").enableCompileCache?.();
  import("../dist/main.js").catch((error) => {
    process.stderr.write(`scantail: cannot load dist/ (${error.message}); run npm install\n`);
    process.exitCode = 1;
  });
}
