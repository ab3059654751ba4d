// Bundles the CLI with esbuild: one small entry chunk plus lazily loaded chunks, so
// `scantail --version` loads almost nothing (docs/architecture.md: lazy-load what a command does
// not need). Type checking is `npm run typecheck` (tsc), not part of the build.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { build } from "esbuild";

/**
 * commander requires node:child_process at load time, only to run executable
 * subcommands (which scantail has none of); loading it pulls in net, dgram and streams
 * and was a tenth of `scantail --help` (npm run bench). commander gets a stand-in that
 * loads the real module on first use.
 */
const lazyChildProcess = {
  name: "lazy-child-process",
  setup(build) {
    build.onResolve({ filter: /^(node:)?child_process$/ }, (args) =>
      args.importer.includes("node_modules/commander/")
        ? { path: "lazy-child-process", namespace: "scantail" }
        : undefined,
    );
    build.onLoad({ filter: /^lazy-child-process$/, namespace: "scantail" }, () => ({
      contents:
        'let real; module.exports = new Proxy({}, { get: (_, key) => (real ??= require("node:child_process"))[key] });',
      loader: "js",
    }));
  },
};

/**
 * An ES module import of node:http makes Node 22 read every export of it, the lazy
 * WebSocket getter included, which loads undici and node:assert — slow, and Node 22 then
 * warns on stderr when NO_COLOR and FORCE_COLOR are both set. Our own imports of
 * node:http and node:https are made require() calls, which read nothing but what is used.
 */
const requiredHttp = {
  name: "required-http",
  setup(build) {
    build.onResolve({ filter: /^node:https?$/ }, (args) => {
      if (args.namespace === "required-http") return { path: args.path, external: true };
      if (args.importer.includes("node_modules/")) return undefined;
      return { path: args.path, namespace: "required-http" };
    });
    build.onLoad({ filter: /.*/, namespace: "required-http" }, (args) => ({
      contents: `module.exports = require(${JSON.stringify(args.path)});`,
      loader: "js",
    }));
  },
};

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));

rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: {
    main: "src/main.ts",
    // For scripts/bench.mjs: the same generator and simulator the CLI uses.
    "bench-support": "src/bench-support.ts",
    // Renders the man page below; removed once it has.
    "man-build": "src/completion/man-build.ts",
  },
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  // No source maps: Node applies them only under --enable-source-maps, which the bin
  // does not set, and they were 3/4 of the package. Whitespace-only minification keeps
  // names and one statement per line, so --verbose stack traces stay readable as is.
  // Less to parse at start-up.
  minifyWhitespace: true,
  minifySyntax: true,
  chunkNames: "chunks/[name]-[hash]",
  // ws loads these optional native helpers only when installed; never bundle them.
  external: ["bufferutil", "utf-8-validate"],
  // CommonJS dependencies (commander, ws, cli-table3) call require() for Node built-ins.
  banner: {
    js: 'import { createRequire as __scantailCreateRequire } from "node:module"; const require = __scantailCreateRequire(import.meta.url);',
  },
  define: { SCANTAIL_VERSION: JSON.stringify(pkg.version) },
  plugins: [lazyChildProcess, requiredHttp],
  logLevel: "warning",
});

// scantail(1), from the same commander program as --help (package.json "man").
const manBuild = new URL("../dist/man-build.js", import.meta.url);
const { renderManPage } = await import(manBuild.href);
writeFileSync(new URL("../dist/scantail.1", import.meta.url), renderManPage());
rmSync(manBuild);
