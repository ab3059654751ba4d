/**
 * Every command's code, loaded as one chunk once the command line is parsed: one module
 * load instead of a dozen (Node's ES module loader costs more per file than parsing our
 * small command files), while `--help` and `--version` load none of it.
 */
export { runConfig, runLogout, runStatus } from "./account.js";
export { runCompletion } from "./completion.js";
export { runDemo } from "./demo.js";
export { runDoctor } from "./doctor.js";
export { runEvents } from "./events.js";
export { runForward } from "./forward.js";
export { runLogin } from "./login.js";
export { runReplay } from "./replay.js";
export { runSimulate } from "./simulate.js";
export { runTail } from "./tail.js";
