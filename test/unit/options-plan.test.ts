import type { Command } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram, reorderArgv } from "../../src/cli.js";
import { resolveConnection } from "../../src/commands/connection-options.js";
import { type CommandFlags, FILTER_OPTIONS, pickFilters } from "../../src/commands/options.js";
import { type OutputInputs, planOutput } from "../../src/commands/output-options.js";
import { connectUrl } from "../../src/commands/simulate.js";
import { resolveSimulator } from "../../src/commands/simulator-options.js";
import { validateLiveUrl } from "../../src/config/settings.js";
import { FORMAT_NAMES, resolveFormatName } from "../../src/format/names.js";
import { makeContext } from "../helpers/context.js";

/**
 * Command line → the flags commander hands the command (the real program, with every
 * action replaced by one that only records), so these tables test the option
 * declarations and the pure plan together, as a user types them.
 */
function parse(line: string): { command: string; flags: Record<string, unknown>; args: string[] } {
  const program = buildProgram(makeContext(), () => {});
  let seen: { command: string; flags: Record<string, unknown>; args: string[] } | undefined;
  for (const command of program.commands as Command[]) {
    command.action(() => {
      seen = { command: command.name(), flags: command.optsWithGlobals(), args: command.args };
    });
  }
  const argv = line.split(" ").filter(Boolean);
  program.parse(reorderArgv(argv, program), { from: "user" });
  if (!seen) throw new Error(`no command ran for "${line}"`);
  return seen;
}

const out = (line: string, inputs: Partial<OutputInputs> = {}) =>
  planOutput(parse(line).flags as CommandFlags<"tail">, {
    env: {},
    stdoutIsTTY: false,
    ...inputs,
  });
const setup = (line: string, inputs?: Partial<OutputInputs>) => out(line, inputs).setup;
const warnings = (line: string) => out(line).warnings;
const fails = (line: string, inputs?: Partial<OutputInputs>) => () => setup(line, inputs);

describe("command line → command", () => {
  it("no command is tail", () => expect(parse("").command).toBe("tail"));
  it("options alone are tail", () => expect(parse("-s X").command).toBe("tail"));
  it("options before the command", () => expect(parse("-o table demo").command).toBe("demo"));
  it("before = after", () =>
    expect(parse("-o table demo").flags).toEqual(parse("demo -o table").flags));
  it("a short cluster before", () =>
    expect(parse("-vq demo").flags).toMatchObject({ verbose: true, quiet: true }));
  it("an inline value before", () =>
    expect(parse("--format=table demo").flags.format).toBe("table"));
  it("a glued short value before", () => expect(parse("-otable demo").flags.format).toBe("table"));
  it("global options after", () => expect(parse("demo --profile x").flags.profile).toBe("x"));
  it("replay -s X file keeps the file", () =>
    expect(parse("replay -s X rec.ndjson").args).toEqual(["rec.ndjson"]));
  it("values repeat and accumulate", () =>
    expect(parse("-s A -s B,C").flags.serial).toEqual(["A", "B,C"]));
  it("unknown command names the closest", () =>
    expect(() => parse("dmeo")).toThrow("unknown command 'dmeo' (did you mean 'demo'?)"));
  it("unknown command, nothing close", () =>
    expect(() => parse("zzzzzz")).toThrow("unknown command 'zzzzzz' (`scantail help`"));
  it("help of an unknown command", () =>
    expect(() => parse("help dmeo")).toThrow("(did you mean 'demo'?)"));
  it("unknown option before the command", () =>
    expect(() => parse("--serail X demo")).toThrow(
      "unknown option '--serail' (did you mean '--serial'?)",
    ));
  it("a value that looks like a command stays a value", () =>
    expect(parse("--station demo").flags.station).toEqual(["demo"]));
  it("after -- nothing moves", () =>
    expect(
      reorderArgv(
        ["--", "demo"],
        buildProgram(makeContext(), () => {}),
      ),
    ).toEqual(["--", "demo"]));
});

describe("output plan", () => {
  it("pipe default", () => expect(setup("").format).toBe("ndjson"));
  it("terminal default", () => expect(setup("", { stdoutIsTTY: true }).format).toBe("pretty"));
  it("-o any case", () => expect(setup("-o Table").format).toBe("table"));
  it("-o NDJSON", () => expect(setup("-o NDJSON").format).toBe("ndjson"));
  it("-o json alias", () => expect(setup("-o json").format).toBe("ndjson"));
  it("-o jsonl alias", () => expect(setup("-o jsonl").format).toBe("ndjson"));
  it("-o typo", () =>
    expect(fails("-o tabel")).toThrow(`unknown format "tabel" (from -o); did you mean 'table'?`));
  it("env beats profile", () =>
    expect(
      setup("", { env: { SCANTAIL_FORMAT: "table" }, profile: { format: "devices" } }).format,
    ).toBe("table"));
  it("flag beats env", () =>
    expect(setup("-o devices", { env: { SCANTAIL_FORMAT: "table" } }).format).toBe("devices"));
  it("profile on a pipe", () =>
    expect(setup("", { profile: { format: "table" } }).format).toBe("table"));
  it("profile on a terminal", () =>
    expect(setup("", { stdoutIsTTY: true, profile: { format: "ndjson" } }).format).toBe("ndjson"));
  it("bad env format names its source", () =>
    expect(fails("", { env: { SCANTAIL_FORMAT: "xml" } })).toThrow("(from SCANTAIL_FORMAT)"));
  it("bad stored format names its source", () =>
    expect(fails("", { profile: { format: "xml" } })).toThrow(
      "(from the profile's stored format)",
    ));
  it("--template without the template format", () => {
    if (resolveFormatName("template")) expect(setup("--template {{code}}").format).toBe("template");
    else expect(fails("--template {{code}}")).toThrow("--template is not supported");
  });
  it("--template with another -o", () => {
    if (resolveFormatName("template"))
      expect(fails("--template {{code}} -o table")).toThrow("--template implies -o template");
  });
  it("every filter flag reaches the filter", () => {
    const line =
      "-s a -y b --exclude-serial c --exclude-symbology d --gateway e --station f --event-type scan --code g";
    expect(Object.keys(setup(`${line} -i`).filterOptions).sort()).toEqual(
      [...Object.keys(FILTER_OPTIONS), "ignoreCase"].sort(),
    );
    expect(setup(`${line} -i`).filterOptions.ignoreCase).toBe(true);
  });
  it("filters keep every value", () =>
    expect(setup("-s A -s B,C").filterOptions.serial).toEqual(["A", "B,C"]));
  it("an option the chosen format does not take", () => {
    expect(fails("-o devices --fields serial")).toThrow("--fields does not apply to -o devices");
    expect(fails("-o ndjson --no-header")).toThrow("--no-header does not apply to -o ndjson");
    expect(fails("-o csv --highlight x")).toThrow("--highlight does not apply to -o csv");
  });
  it("bad --code", () => expect(fails("--code (")).toThrow("invalid --code regular expression"));
  it("bad --highlight", () =>
    expect(fails("--highlight (")).toThrow("invalid --highlight regular expression"));
  it("--highlight kept as source", () =>
    expect(setup("--highlight ^04 -i")).toMatchObject({ highlight: "^04", ignoreCase: true }));
  it("defaults of the new switches", () =>
    expect(setup("")).toMatchObject({
      header: true,
      wide: false,
      ignoreCase: false,
      quiet: false,
      strict: false,
    }));
  it("--no-header", () => expect(setup("--no-header").header).toBe(false));
  it("-w", () => expect(setup("-w").wide).toBe(true));
  it("-q is global", () => expect(setup("-q").quiet).toBe(true));
  it("-q before demo", () =>
    expect(
      planOutput(parse("-q demo").flags as CommandFlags<"demo">, { env: {}, stdoutIsTTY: false })
        .setup.quiet,
    ).toBe(true));
  it("--strict on replay", () =>
    expect(
      planOutput(parse("replay --strict f").flags as CommandFlags<"replay">, {
        env: {},
        stdoutIsTTY: false,
      }).setup.strict,
    ).toBe(true));
  it("--count", () => expect(setup("-n 5").count).toBe(5));
  it("bad --count", () => expect(fails("-n 0")).toThrow('invalid --count "0"'));
  it("--timeout", () => expect(setup("--timeout 2m").timeoutMs).toBe(120_000));
  it("--tee is planned, not opened", () =>
    expect(setup("--tee /nonexistent/dir/x").teePath).toBe("/nonexistent/dir/x"));
  it("--fields list", () =>
    expect(setup("--fields serial,code --fields battery").fields).toEqual([
      "serial",
      "code",
      "battery",
    ]));
  it("--fields with devices", () =>
    expect(fails("-o devices --fields code")).toThrow("--fields does not apply"));
  it("--time default", () => expect(setup("").time).toBe("local"));
});

describe("typo warnings", () => {
  it("field typo", () =>
    expect(warnings("--fields sreial,code")).toEqual([
      `--fields "sreial" is not a known field (did you mean 'serial'?)`,
    ]));
  it("event field typo", () =>
    expect(warnings("--fields device_serail")).toEqual([
      `--fields "device_serail" is not a known field (did you mean 'device_serial'?)`,
    ]));
  it("unknown field, nothing close", () =>
    expect(warnings("--fields foo")).toEqual([`--fields "foo" is not a known field`]));
  it("dotted paths check their head", () =>
    expect(warnings("--fields metrics.0.values.0")).toEqual([]));
  it("known fields are quiet", () =>
    expect(
      warnings(
        "--fields time,serial,code,symbology,station,gateway,battery,latency,model,firmware,profile,scan_duration",
      ),
    ).toEqual([]));
  it("symbology typo", () =>
    expect(warnings("-y ean14")).toEqual([
      `-y "ean14" is not a known symbology (did you mean 'EAN-13'?)`,
    ]));
  it("symbology loosely spelt", () => expect(warnings("-y qrcode,ean13,code_128")).toEqual([]));
  it("symbology glob", () => expect(warnings("-y gs1databar*")).toEqual([]));
  it("excluded symbology typo", () =>
    expect(warnings("--exclude-symbology datamatrx")).toHaveLength(1));
  it("event type typo", () =>
    expect(warnings("--event-type scna")).toEqual([
      `--event-type "scna" is not a known event type (did you mean 'scan'?)`,
    ]));
  it("event type known", () => expect(warnings("--event-type SCAN,telemetry")).toEqual([]));
  it("each typo once", () => expect(warnings("-y ean14 -y ean14")).toHaveLength(1));
  it("template field typo", () => {
    if (resolveFormatName("template")) expect(warnings("--template {{sreial}}")).toHaveLength(1);
  });
});

describe("connection plan", () => {
  const conn = (line: string) => resolveConnection(parse(line).flags as CommandFlags<"tail">);
  it("defaults", () =>
    expect(conn("")).toEqual({
      reconnect: true,
      maxRetries: undefined,
      heartbeatMs: 30_000,
      renewAfterMs: 6_600_000,
    }));
  it("demo has the same defaults", () =>
    expect(resolveConnection(parse("demo").flags as CommandFlags<"demo">)).toEqual(conn("")));
  it("--no-reconnect", () => expect(conn("--no-reconnect").reconnect).toBe(false));
  it("--max-retries", () => expect(conn("--max-retries 3").maxRetries).toBe(3));
  it("--heartbeat", () => expect(conn("--heartbeat 250ms").heartbeatMs).toBe(250));
  it("--renew-after 2h", () => expect(() => conn("--renew-after 2h")).toThrow("under 2h"));
  it("--token-kind is a choice", () => expect(() => parse("--token-kind foo")).toThrow());
});

describe("simulator plan", () => {
  const sim = (line: string) =>
    resolveSimulator(parse(line).flags as CommandFlags<"demo">, () => 42);
  it("defaults", () => expect(sim("demo")).toMatchObject({ rate: 5, devices: 8, seed: 42 }));
  it("simulate has the same defaults", () =>
    expect(resolveSimulator(parse("simulate").flags as CommandFlags<"simulate">, () => 42)).toEqual(
      sim("demo"),
    ));
  it("--reject", () => expect(sim("demo --reject 500,ok").reject).toEqual([500, "ok"]));
  it("bad --reject", () =>
    expect(() => sim("demo --reject 200")).toThrow("invalid --reject entry"));
  it("--stall-after", () => expect(sim("demo --stall-after 10s").stallAfterMs).toBe(10_000));
  it("--malformed", () => expect(() => sim("demo --malformed 2")).toThrow("between 0 and 1"));
});

describe("simulate prints a URL scantail accepts", () => {
  const url = (host: string) =>
    connectUrl(host, 4321, `ws://${host.includes(":") ? `[${host}]` : host}:4321/latest/`);
  it("0.0.0.0", () => expect(validateLiveUrl(url("0.0.0.0"))).toBe("ws://127.0.0.1:4321/latest/"));
  it("::", () => expect(validateLiveUrl(url("::"))).toBe("ws://[::1]:4321/latest/"));
  it("loopback as given", () => expect(url("127.0.0.2")).toBe("ws://127.0.0.2:4321/latest/"));
});

describe("option table", () => {
  it("format choices come from the registry's names", () => {
    const program = buildProgram(makeContext(), () => {});
    const tail = program.commands.find((c) => c.name() === "tail")!;
    const format = tail.options.find((o) => o.long === "--format")!;
    expect(format.argChoices).toEqual([...FORMAT_NAMES]);
  });
  it("pickFilters copies exactly the group's keys", () => {
    const all = Object.fromEntries(Object.keys(FILTER_OPTIONS).map((k) => [k, ["x"]]));
    expect(Object.keys(pickFilters({ ...all, format: "table" } as never)).sort()).toEqual(
      Object.keys(FILTER_OPTIONS).sort(),
    );
  });
  it("resolveFormatName", () => {
    expect([
      resolveFormatName("TABLE"),
      resolveFormatName("Json"),
      resolveFormatName("xml"),
    ]).toEqual(["table", "ndjson", undefined]);
  });
});
