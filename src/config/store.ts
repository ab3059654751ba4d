import { chmodSync, existsSync, mkdirSync, statSync } from "node:fs";
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
  /** The Authorization spelling and token kind the REST history accepted last time. */
  restAuth?: { scheme: "raw" | "bearer"; kind: TokenKind };
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
        restAuth: {
          type: "object",
          properties: { scheme: { enum: ["raw", "bearer"] }, kind: { enum: ["access", "id"] } },
        },
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

/** Returned by an `update` change function to leave the file as it is. */
export const UNCHANGED: unique symbol = Symbol("unchanged");
type Change = Profile | undefined | typeof UNCHANGED;

export interface StoreOptions {
  /** Decides the default config directory (the context's platform). */
  platform?: NodeJS.Platform;
  /** Told once per store about a problem worth a warning (a file others can read). */
  onWarning?: (text: string) => void;
}

/** How long a writer waits for another one before giving up (a refresh may hold it ~20 s). */
const LOCK_WAIT = { retries: 300, minTimeout: 5, maxTimeout: 100, factor: 1.3, randomize: true };

/**
 * The config store: one JSON file (mode 0600, directory 0700) written atomically by conf.
 * Every write is read-modify-write under an inter-process lock (proper-lockfile: a
 * `config.json.lock` directory, refreshed while held and taken over when stale), so two
 * commands changing different profiles at once both keep their change.
 * A corrupt or schema-violating file is reported with its path and never overwritten:
 * conf's clearInvalidConfig stays off. Profile names are looked up as own keys of
 * null-prototype objects, so `constructor` or `__proto__` are names like any other.
 */
export class ConfigStore {
  readonly dir: string;
  readonly path: string;
  private conf: Conf<StoreData> | undefined;
  private readonly onWarning?: (text: string) => void;
  private warnedMode = false;

  constructor(env: Record<string, string | undefined>, options: StoreOptions = {}) {
    // Linux's layout unless told: only main.ts reads the real platform (into the context).
    this.dir = configDir(env, options.platform ?? "linux");
    this.path = join(this.dir, CONFIG_FILE);
    this.onWarning = options.onWarning;
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
    if (e instanceof ConfigError) return e;
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

  /** The tokens are in this file: say so once when others can read it. */
  private checkMode(): void {
    const mode = this.mode();
    if (this.warnedMode || mode === undefined || (mode & 0o077) === 0) return;
    this.warnedMode = true;
    this.onWarning?.(
      `the config file ${this.path} is readable by other users (mode ${octal(mode)}) and keeps sign-in tokens; scantail makes it 0600 on its next write (or run: chmod 600 ${this.path})`,
    );
  }

  private readProfiles(conf: Conf<StoreData>): Record<string, Profile> {
    try {
      return dictionary(conf.store.profiles);
    } catch (error) {
      throw this.describe(error);
    }
  }

  /** The whole store; an absent file reads as empty (and is not created). */
  async read(): Promise<StoreData> {
    if (!this.exists()) return {};
    const conf = await this.open();
    this.checkMode();
    return { profiles: this.readProfiles(conf) };
  }

  async profile(name: string): Promise<Profile> {
    const profiles = (await this.read()).profiles ?? {};
    return Object.hasOwn(profiles, name) ? profiles[name]! : {};
  }

  /**
   * Changes one profile: under the lock, `change` gets the profile as stored now (never
   * a copy read earlier) and returns the new profile, undefined to remove it, or
   * UNCHANGED to write nothing. The file is replaced atomically with mode 0600.
   */
  async update(
    name: string,
    change: (profile: Profile) => Change | Promise<Change>,
  ): Promise<void> {
    const conf = await this.open();
    const release = await this.lock();
    try {
      const profiles = this.readProfiles(conf);
      const next = await change(Object.hasOwn(profiles, name) ? { ...profiles[name] } : {});
      if (next === UNCHANGED) return;
      if (next === undefined) delete profiles[name];
      else define(profiles, name, dropUndefined(next));
      const before = this.mode();
      try {
        conf.set("profiles", profiles);
        // atomically keeps an existing file's mode; make sure ours is 0600 whatever it was.
        chmodSync(this.path, 0o600);
      } catch (error) {
        throw this.describe(error);
      }
      if (before !== undefined && (before & 0o077) !== 0) {
        this.onWarning?.(
          this.warnedMode
            ? `the config file ${this.path} is now 0600`
            : `the config file ${this.path} was readable by other users (mode ${octal(before)}); it is now 0600`,
        );
        this.warnedMode = true;
      }
    } finally {
      await release();
    }
  }

  private async lock(): Promise<() => Promise<void>> {
    type Lockfile = typeof import("proper-lockfile");
    // A CommonJS module: bundled, its functions hang off the default export.
    const loaded = (await import("proper-lockfile")) as Lockfile & { default?: Lockfile };
    const lock = loaded.default?.lock ?? loaded.lock;
    const lockPath = `${this.path}.lock`;
    let compromised: Error | undefined;
    let release: () => Promise<void>;
    try {
      release = await lock(this.path, {
        realpath: false,
        lockfilePath: lockPath,
        stale: 10_000,
        update: 2_000,
        retries: LOCK_WAIT,
        // The default throws from a timer; a lost lock is reported when it is released.
        onCompromised: (error) => {
          compromised = error;
        },
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new ConfigError(
        code === "ELOCKED"
          ? `the config file ${this.path} is being changed by another scantail and stayed locked`
          : `cannot lock the config file ${this.path}: ${errorMessage(error)}`,
        code === "ELOCKED"
          ? `try again; if no other scantail is running, remove ${lockPath}`
          : undefined,
      );
    }
    return async () => {
      try {
        await release();
      } catch {
        // Already released or taken over as stale: nothing of ours is left to remove.
      }
      if (compromised) {
        throw new ConfigError(
          `the lock on ${this.path} was lost while writing (${errorMessage(compromised)})`,
          "check the file, then run the command again",
        );
      }
    };
  }

  /** Mode bits of the file, or undefined when it does not exist. */
  mode(): number | undefined {
    try {
      return statSync(this.path).mode & 0o777;
    } catch {
      return undefined;
    }
  }
}

const octal = (mode: number) => mode.toString(8).padStart(4, "0");

/** A null-prototype copy: profile names are data, never Object.prototype's members. */
function dictionary<T>(value: Record<string, T> | undefined): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  if (value && typeof value === "object")
    for (const [key, item] of Object.entries(value)) define(out, key, item);
  return out;
}

/** Assignment that makes `__proto__` an own key instead of changing the prototype. */
function define<T>(target: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(target, key, {
    value,
    enumerable: true,
    writable: true,
    configurable: true,
  });
}

function dropUndefined<T extends object>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
