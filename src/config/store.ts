import { chmodSync, existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type Conf from "conf";
import { ConfigError, errorMessage } from "../errors.js";
import { CONFIG_FILE, configDir } from "./paths.js";

export type TokenKind = "access" | "id";

export interface StoredAuth {
  accessToken?: string;
  idToken?: string;
  refreshToken?: string;
  /** Epoch ms when the access/id tokens expire (from ExpiresIn; JWT exp wins when present). */
  expiresAt?: number;
  obtainedAt?: number;
  /** "login" (user name + password), "stdin" (a pasted token: no refresh). */
  source: "login" | "stdin";
  region?: string;
  clientId?: string;
  username?: string;
  /** SCANTAIL_COGNITO_ENDPOINT used at login, so refresh goes to the same place. */
  cognitoEndpoint?: string;
}

export interface Profile {
  customer?: string;
  url?: string;
  baseUrl?: string;
  tokenKind?: TokenKind;
  format?: string;
  /** websocket_url from auth-information: used when `url` is not set. */
  discoveredUrl?: string;
  auth?: StoredAuth;
}

export interface StoreData {
  profiles?: Record<string, Profile>;
}

const stringProp = { type: "string" };
const SCHEMA = {
  profiles: {
    type: "object",
    additionalProperties: {
      type: "object",
      properties: {
        customer: stringProp,
        url: stringProp,
        baseUrl: stringProp,
        tokenKind: { enum: ["access", "id"] },
        format: stringProp,
        discoveredUrl: stringProp,
        auth: {
          type: "object",
          properties: {
            accessToken: stringProp,
            idToken: stringProp,
            refreshToken: stringProp,
            expiresAt: { type: "number" },
            obtainedAt: { type: "number" },
            source: { enum: ["login", "stdin"] },
            region: stringProp,
            clientId: stringProp,
            username: stringProp,
            cognitoEndpoint: stringProp,
          },
        },
      },
    },
  },
} as const;

/**
 * The config store: one JSON file (mode 0600, directory 0700) written atomically by conf.
 * A corrupt or schema-violating file is reported with its path and never overwritten:
 * conf's clearInvalidConfig stays off.
 */
export class ConfigStore {
  readonly dir: string;
  readonly path: string;
  private conf: Conf<StoreData> | undefined;

  constructor(env: Record<string, string | undefined>) {
    this.dir = configDir(env);
    this.path = join(this.dir, CONFIG_FILE);
  }

  exists(): boolean {
    return existsSync(this.path);
  }

  private async open(): Promise<Conf<StoreData>> {
    if (this.conf) return this.conf;
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new ConfigError(
        `cannot create the config directory ${this.dir}: ${errorMessage(error)}`,
      );
    }
    const { default: ConfClass } = await import("conf");
    try {
      this.conf = new ConfClass<StoreData>({
        cwd: this.dir,
        configName: "config",
        projectName: "scantail",
        configFileMode: 0o600,
        clearInvalidConfig: false,
        accessPropertiesByDotNotation: false,
        schema: SCHEMA as never,
      });
      // Read once now, so a corrupt file fails here with a clear message.
      void this.conf.store;
    } catch (error) {
      throw this.describe(error);
    }
    return this.conf;
  }

  private describe(error: unknown): ConfigError {
    const e = error as NodeJS.ErrnoException;
    if (e?.code === "EACCES" || e?.code === "EPERM") {
      return new ConfigError(`cannot read the config file ${this.path}: permission denied`);
    }
    if (e?.code === "EISDIR") return new ConfigError(`the config path ${this.path} is a directory`);
    if (e?.name === "SyntaxError") {
      return new ConfigError(
        `the config file ${this.path} is not valid JSON (${errorMessage(e)})`,
        "fix it by hand or move it away (scantail never overwrites it); `scantail login` then starts a new one",
        { cause: e },
      );
    }
    if (e?.message?.startsWith("Config schema violation")) {
      return new ConfigError(
        `the config file ${this.path} has invalid values: ${e.message.replace(/^Config schema violation: /, "")}`,
        "fix it by hand or move it away (scantail never overwrites it)",
        { cause: e },
      );
    }
    return new ConfigError(`cannot use the config file ${this.path}: ${errorMessage(e)}`);
  }

  /** The whole store; an absent file reads as empty (and is not created). */
  async read(): Promise<StoreData> {
    if (!this.exists()) return {};
    const conf = await this.open();
    try {
      return conf.store;
    } catch (error) {
      throw this.describe(error);
    }
  }

  async profile(name: string): Promise<Profile> {
    const data = await this.read();
    return data.profiles?.[name] ?? {};
  }

  /** Changes one profile with a function; the file is written atomically with mode 0600. */
  async update(name: string, change: (profile: Profile) => Profile | undefined): Promise<void> {
    const conf = await this.open();
    let profiles: Record<string, Profile>;
    try {
      profiles = { ...(conf.get("profiles") ?? {}) };
    } catch (error) {
      throw this.describe(error);
    }
    const next = change({ ...(profiles[name] ?? {}) });
    if (next === undefined) delete profiles[name];
    else profiles[name] = dropUndefined(next);
    try {
      conf.set("profiles", profiles);
      // atomically keeps an existing file's mode; make sure ours is 0600 whatever it was.
      chmodSync(this.path, 0o600);
    } catch (error) {
      throw this.describe(error);
    }
  }

  /** Mode bits of the file, or undefined when it does not exist. */
  mode(): number | undefined {
    try {
      return statSync(this.path).mode & 0o777;
    } catch {
      return undefined;
    }
  }

  /** Whether the file parses as JSON (for doctor), without conf. */
  rawCheck(): { ok: true } | { ok: false; reason: string } {
    try {
      JSON.parse(readFileSync(this.path, "utf8"));
      return { ok: true };
    } catch (error) {
      return { ok: false, reason: errorMessage(error) };
    }
  }
}

function dropUndefined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
