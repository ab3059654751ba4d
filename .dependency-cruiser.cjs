/*
 * The layer rules of docs/architecture.md: which folder may import which. A backward
 * import fails `npm run lint` (and so CI). Type-only imports count too: a layer that
 * needs another's types depends on it.
 */
const layer = (name) => `^src/${name}/`;
const forbidden = (name, from, to, comment) => ({
  name,
  comment,
  severity: "error",
  from: { path: from },
  to: { path: to },
});

module.exports = {
  forbidden: [
    {
      name: "no-cycles",
      comment: "Import cycles make load order fragile and layers meaningless.",
      severity: "error",
      from: { path: "^src/" },
      to: {
        circular: true,
        viaOnly: { dependencyTypesNot: ["type-only", "type-import", "dynamic-import"] },
      },
    },
    forbidden(
      "util-is-the-bottom",
      "^src/util/|^src/errors\\.ts$|^src/context\\.ts$",
      "^src/(events|format|feed|sources|outputs|run|config|auth|simulator|commands)/|^src/cli\\.ts$",
      "Helpers know nothing of the flow above them.",
    ),
    forbidden(
      "events-below-format",
      layer("events"),
      "^src/(format|feed|sources|outputs|run|config|auth|simulator|commands)/|^src/cli\\.ts$",
      "Parsing and filtering do not know how events are shown or fetched.",
    ),
    forbidden(
      "format-is-pure-presentation",
      layer("format"),
      "^src/(feed|sources|outputs|run|config|auth|simulator|commands)/|^src/cli\\.ts$",
      "Formats turn events into text; they do not fetch, run or configure.",
    ),
    forbidden(
      "feed-is-transport",
      layer("feed"),
      "^src/(format|sources|outputs|run|config|auth|simulator|commands)/|^src/cli\\.ts$",
      "The transport speaks WebSocket, not CLI: no hints, no formats.",
    ),
    forbidden(
      "sources-below-run",
      layer("sources"),
      "^src/(format|outputs|run|config|commands)/|^src/cli\\.ts$",
      "A source yields items; what happens to them is the pipeline's business.",
    ),
    forbidden(
      "outputs-below-run",
      layer("outputs"),
      "^src/(feed|sources|run|config|auth|commands)/|^src/cli\\.ts$",
      "An output takes shown events; it does not know where they came from.",
    ),
    forbidden(
      "run-below-commands",
      layer("run"),
      "^src/(config|auth|commands|simulator)/|^src/cli\\.ts$",
      "The pipeline gets a plan; it never reaches back into commands or the config store.",
    ),
    forbidden(
      "config-and-auth-below-commands",
      "^src/(config|auth)/",
      "^src/(run|sources|outputs|commands|simulator)/|^src/cli\\.ts$",
      "The store and sign-in are used by commands, not the other way round.",
    ),
    forbidden(
      "simulator-stands-alone",
      layer("simulator"),
      "^src/(format|run|outputs|config|auth|commands)/|^src/cli\\.ts$",
      "The simulator is a fake Insight: it shares the event model, nothing of the client.",
    ),
    forbidden(
      "only-main-touches-process",
      "^src/(?!main\\.ts$)",
      "^src/main\\.ts$",
      "main.ts is the entry; nothing imports it.",
    ),
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: { extensions: [".ts", ".js"] },
  },
};
