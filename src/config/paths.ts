import { homedir } from "node:os";
import { join } from "node:path";

/**
 * Where the store lives: $SCANTAIL_CONFIG_DIR, else the platform's config directory as
 * conf/env-paths would choose it (XDG_CONFIG_HOME on Linux). Computed from the injected
 * environment so tests never touch the user's real config.
 */
export function configDir(
  env: Record<string, string | undefined>,
  platform: NodeJS.Platform,
): string {
  if (env.SCANTAIL_CONFIG_DIR) return env.SCANTAIL_CONFIG_DIR;
  const home = env.HOME || env.USERPROFILE || homedir();
  if (platform === "darwin") return join(home, "Library", "Preferences", "scantail");
  if (platform === "win32")
    return join(env.APPDATA || join(home, "AppData", "Roaming"), "scantail", "Config");
  return join(env.XDG_CONFIG_HOME || join(home, ".config"), "scantail");
}

export const CONFIG_FILE = "config.json";
