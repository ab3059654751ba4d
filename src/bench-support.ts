/** Entry point for scripts/bench.mjs: the generator and simulator, as the CLI uses them. */
export { EventGenerator } from "./simulator/generator.js";
export { startSimulator } from "./simulator/server.js";
