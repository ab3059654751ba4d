import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { makeContext, runCli, type TestContext } from "../helpers/context.js";
import { fakeJwt } from "../helpers/fake-auth.js";
import { runBin } from "../helpers/spawn-bin.js";
import { event, startTestServer, type TestServer } from "../helpers/ws-server.js";

let dirs: string[] = [];
let server: TestServer | undefined;
afterEach(async () => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
  await server?.close();
  server = undefined;
});
const tempDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "scantail-store-"));
  dirs.push(dir);
  return dir;
};
const stored = (dir: string) => JSON.parse(readFileSync(join(dir, "config.json"), "utf8"));

describe("concurrent writers (real processes)", () => {
  it("config set and login --token-stdin on different profiles, racing, lose nothing", async () => {
    const dir = tempDir();
    const env = { SCANTAIL_CONFIG_DIR: dir };
    const rounds = 6;
    const setters = ["a", "b", "c", "d"];
    for (let round = 1; round <= rounds; round++) {
      const token = fakeJwt("access", Date.now() + 3_600_000);
      const results = await Promise.all([
        ...setters.map((p) =>
          runBin(["--profile", p, "config", "set", "customer", `${p}-${round}`], { env }),
        ),
        runBin(["--profile", "t", "login", "--token-stdin"], { env, input: token }),
      ]);
      for (const r of results) expect(r.code, r.stderr).toBe(0);
      const profiles = stored(dir).profiles;
      for (const p of setters)
        expect(profiles[p]?.customer, `round ${round}`).toBe(`${p}-${round}`);
      expect(profiles.t?.auth?.accessToken, `round ${round}`).toBe(token);
      expect(statSync(join(dir, "config.json")).mode & 0o777).toBe(0o600);
    }
  }, 60_000);
});

describe("the lock", () => {
  it("a lock left by a process that died is taken over; the write goes through", async () => {
    const dir = tempDir();
    const lock = join(dir, "config.json.lock");
    mkdirSync(lock);
    const minuteAgo = new Date(Date.now() - 60_000);
    utimesSync(lock, minuteAgo, minuteAgo);
    const r = await runBin(["config", "set", "customer", "c1"], {
      env: { SCANTAIL_CONFIG_DIR: dir },
    });
    expect(r.code, r.stderr).toBe(0);
    expect(stored(dir).profiles.default.customer).toBe("c1");
    expect(existsSync(lock)).toBe(false);
  });
});

describe("profile names", () => {
  const ctxs: TestContext[] = [];
  afterEach(() => {
    for (const c of ctxs.splice(0)) c.cleanup();
  });
  const on = (configDir: string, input = "") => {
    const ctx = makeContext({ configDir });
    ctx.stdinStream.end(input);
    ctxs.push(ctx);
    return ctx;
  };

  it.each(["__proto__", "_x", "-x", ".x", "a b", "a/b", "x".repeat(65), ""])(
    "--profile %j is refused with exit 2 before anything is stored",
    async (name) => {
      const dir = tempDir();
      for (const argv of [
        ["--profile", name, "login", "--token-stdin"],
        ["--profile", name, "config", "set", "customer", "c1"],
        ["--profile", name, "status"],
      ]) {
        const r = await runCli(argv, on(dir, fakeJwt("access", Date.now() + 60_000)));
        expect(r.code, `${argv.join(" ")}: ${r.stderr}`).toBe(2);
        expect(r.stderr).toMatch(/invalid profile name/);
        expect(r.stderr).toMatch(/letters, digits/);
      }
      const viaEnv = makeContext({ configDir: dir, env: { SCANTAIL_PROFILE: name } });
      viaEnv.stdinStream.end();
      ctxs.push(viaEnv);
      expect((await runCli(["status"], viaEnv)).code).toBe(2);
    },
  );

  it.each(["constructor", "toString", "hasOwnProperty", "prototype", "valueOf"])(
    "--profile %s works like any other name",
    async (name) => {
      const dir = tempDir();
      const token = fakeJwt("access", Date.now() + 3_600_000);
      const login = await runCli(["--profile", name, "login", "--token-stdin"], on(dir, token));
      expect(login.code, login.stderr).toBe(0);
      const set = await runCli(["--profile", name, "config", "set", "customer", "c1"], on(dir));
      expect(set.code, set.stderr).toBe(0);
      expect(set.stderr).not.toMatch(/invalid values/);
      const profile = stored(dir).profiles[name];
      expect(profile.customer).toBe("c1");
      expect(profile.auth.accessToken).toBe(token);
      const get = await runCli(["--profile", name, "config", "get", "customer"], on(dir));
      expect(get.stdout).toBe("c1\n");
      const status = await runCli(["--profile", name, "status", "--json"], on(dir));
      expect(JSON.parse(status.stdout)).toMatchObject({ signedIn: true, customer: "c1" });
      // Another profile never sees it, and an unknown one is empty, not Object's members.
      const other = await runCli(["--profile", "default", "status", "--json"], on(dir));
      expect(JSON.parse(other.stdout)).toMatchObject({ signedIn: false, customer: null });
      const logout = await runCli(["--profile", name, "logout"], on(dir));
      expect(logout.code).toBe(0);
      expect(stored(dir).profiles[name].auth).toBeUndefined();
    },
  );

  it("an unknown prototype-named profile reads as empty", async () => {
    const dir = tempDir();
    await runCli(["config", "set", "customer", "c1"], on(dir));
    for (const name of ["constructor", "toString", "hasOwnProperty"]) {
      const get = await runCli(["--profile", name, "config", "get", "customer"], on(dir));
      expect(get.code).toBe(1);
      const list = await runCli(["--profile", name, "config", "list", "--json"], on(dir));
      expect(JSON.parse(list.stdout).settings).toEqual({});
    }
  });

  it("a hand-written __proto__ key in the file changes no other profile", async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, "config.json"),
      '{"profiles":{"__proto__":{"customer":"evil","auth":{"source":"stdin","accessToken":"x"}}}}',
      { mode: 0o600 },
    );
    const r = await runCli(["status", "--json"], on(dir));
    expect(r.code, r.stderr).not.toBe(2);
    expect(JSON.parse(r.stdout)).toMatchObject({ signedIn: false, customer: null });
    const set = await runCli(["config", "set", "customer", "c1"], on(dir));
    expect(set.code, set.stderr).toBe(0);
    expect(stored(dir).profiles.default.customer).toBe("c1");
  });
});

describe("a config file readable by others", () => {
  const loose = (dir: string) => {
    writeFileSync(join(dir, "config.json"), '{"profiles":{"default":{"customer":"c1"}}}');
    chmodSync(join(dir, "config.json"), 0o644);
  };
  const warning = /warning: .*config\.json is readable by other users \(mode 0644\)/;

  it("status and config warn once; the next write makes it 0600 and the warning stops", async () => {
    const dir = tempDir();
    loose(dir);
    const ctx = () => {
      const c = makeContext({ configDir: dir });
      c.stdinStream.end();
      return c;
    };
    for (const argv of [["status"], ["config", "get", "customer"], ["config", "list"]]) {
      const r = await runCli(argv, ctx());
      expect(r.stderr, argv.join(" ")).toMatch(warning);
      expect(r.stderr.match(/readable by other users/g), argv.join(" ")).toHaveLength(1);
    }
    const set = await runCli(["config", "set", "format", "table"], ctx());
    expect(set.code).toBe(0);
    expect(set.stderr.match(/readable by other users/g)).toHaveLength(1);
    expect(set.stderr).toMatch(/now 0600/);
    expect(statSync(join(dir, "config.json")).mode & 0o777).toBe(0o600);
    const after = await runCli(["status"], ctx());
    expect(after.stderr).not.toMatch(/readable by other users/);
  });

  it("tail warns once too", async () => {
    const dir = tempDir();
    loose(dir);
    server = await startTestServer({ onConnection: (ws) => ws.send(JSON.stringify(event())) });
    const c = makeContext({ configDir: dir, env: { SCANTAIL_TOKEN: "tok-123456" } });
    c.stdinStream.end();
    const r = await runCli(["--url", server.url, "-n", "1"], c);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.match(/readable by other users/g)).toHaveLength(1);
    expect(r.stdout.split("\n").filter(Boolean)).toHaveLength(1);
  });
});
