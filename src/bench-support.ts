/** Entry point for scripts/bench.mjs: the event generator the simulator uses. */
export { EventGenerator } from "./simulator/generator.js";
