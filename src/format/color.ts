import type { ChalkInstance } from "chalk";

export type ColorMode = "auto" | "always" | "never";

/**
 * Colour level from `--color`, NO_COLOR (https://no-color.org: any non-empty value) and
 * FORCE_COLOR (0 = off, 1–3 = level), in that order of precedence. We decide ourselves
 * instead of letting chalk read `process`, so tests and `main.ts` agree.
 */
export function colorLevel(
  mode: ColorMode,
  env: Record<string, string | undefined>,
  isTTY: boolean,
): 0 | 1 | 2 | 3 {
  if (mode === "never") return 0;
  const force = env.FORCE_COLOR;
  const detected = detectLevel(env);
  if (mode === "always") return detected;
  if (env.NO_COLOR) return 0;
  if (force !== undefined && force !== "") {
    if (force === "0" || force === "false") return 0;
    // Only a whole 1–3 is a level (chalk refuses 1.5); anything else means "on".
    const n = Number(force);
    return n === 1 || n === 2 || n === 3 ? n : detected;
  }
  if (!isTTY || env.TERM === "dumb") return 0;
  return detected;
}

function detectLevel(env: Record<string, string | undefined>): 1 | 2 | 3 {
  if (env.COLORTERM === "truecolor" || env.COLORTERM === "24bit") return 3;
  if (env.TERM && /-256(color)?$/i.test(env.TERM)) return 2;
  // TERM=dumb is decided by colorLevel: with --color always or FORCE_COLOR it still gets 1.
  return 1;
}

/**
 * Styling that does nothing, with chalk's shape (chainable, callable, `level` 0). Without
 * colour there is no need to load chalk, whose import inspects the terminal: a pipe
 * (`scantail replay … | jq`) starts faster.
 */
const COLOR_FACTORIES = new Set<string | symbol>([
  "ansi256",
  "bgAnsi256",
  "hex",
  "bgHex",
  "rgb",
  "bgRgb",
]);
export const plainChalk: ChalkInstance = new Proxy((text: unknown) => String(text), {
  // Not a thenable: an async function returning it must not try to "resolve" it.
  get: (_target, property) =>
    property === "level"
      ? 0
      : property === "then"
        ? undefined
        : COLOR_FACTORIES.has(property)
          ? () => plainChalk
          : plainChalk,
  apply: (_target, _this, [text]) => String(text),
}) as unknown as ChalkInstance;

/** A chalk instance for this colour level (loads chalk only when there is colour). */
export async function loadChalk(level: 0 | 1 | 2 | 3): Promise<ChalkInstance> {
  if (level === 0) return plainChalk;
  const { Chalk } = await import("chalk");
  return new Chalk({ level });
}

// Distinguishable on dark and light backgrounds; no blue-on-black.
const PALETTE_256 = [39, 208, 41, 171, 220, 45, 203, 118, 135, 214, 50, 177, 69, 154, 199, 81];
const PALETTE_16 = [
  "cyan",
  "yellow",
  "green",
  "magenta",
  "blueBright",
  "redBright",
  "greenBright",
  "cyanBright",
] as const;

/** A stable colour per device serial: the same serial always gets the same colour. */
export function serialColor(chalk: ChalkInstance, serial: string): (text: string) => string {
  // Without colour (level 0) chalk's styles return the text as it is.
  let hash = 2166136261;
  for (let i = 0; i < serial.length; i++) hash = Math.imul(hash ^ serial.charCodeAt(i), 16777619);
  hash >>>= 0;
  if (chalk.level >= 2) return chalk.ansi256(PALETTE_256[hash % PALETTE_256.length]!);
  return chalk[PALETTE_16[hash % PALETTE_16.length]!];
}
