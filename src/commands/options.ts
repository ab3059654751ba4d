import type { Command } from "commander";
import { FORMAT_NAMES, TIME_MODES } from "../format/names.js";

/*
 * Option declarations only: this module is loaded for every run (help needs it), so it
 * imports nothing heavy. Values are validated by the resolve* functions of each command.
 */
const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Output options shared by tail, demo and replay (cli-contract.md "Output options"). */
export function addOutputOptions(command: Command): Command {
  return command
    .option(
      "-o, --format <format>",
      `output format: ${FORMAT_NAMES.join(", ")} (default: pretty on a terminal, ndjson otherwise)`,
    )
    .option(
      "-s, --serial <pattern...>",
      "keep events whose device_serial matches (repeatable, comma-separated, * and ? globs)",
    )
    .option(
      "-y, --symbology <name...>",
      "keep these symbologies, ignoring case, spaces, - and _ (ean13 = EAN-13); globs allowed",
    )
    .option("--exclude-serial <pattern...>", "drop events whose device_serial matches")
    .option("--exclude-symbology <name...>", "drop these symbologies")
    .option(
      "--gateway <pattern...>",
      "keep events whose gateway_id or customer_gateway_name matches",
    )
    .option("--station <pattern...>", "keep events whose customer_gateway_station matches")
    .option("--event-type <type...>", "keep events whose event_type matches (default: every type)")
    .option(
      "--code <regex>",
      "keep events whose scan_code matches this JavaScript regular expression",
    )
    .option("-n, --count <n>", "exit 0 after n matching events have been written")
    .option("--timeout <duration>", "stop after this long (exit 124 if --count was not reached)")
    .option("--tee <file>", "also append every matching event to this file as NDJSON")
    .option(
      "--fields <list>",
      "columns of pretty/table; with -o ndjson, keep only these fields",
      collect,
    )
    .option("--time <mode>", `how pretty/table show time: ${TIME_MODES.join(", ")}`, "local")
    .option("--summary", "print the closing summary even when stderr is not a terminal");
}

export function addConnectionOptions(command: Command): Command {
  return command
    .option("--url <url>", "live feed URL (wss://…; env SCANTAIL_URL)")
    .option("--customer <id>", "customer ID, sent as customer= (env SCANTAIL_CUSTOMER)")
    .option("--token-kind <kind>", "which stored token to send as token=: access or id")
    .option("--no-reconnect", "exit 1 when the connection ends instead of reconnecting")
    .option("--max-retries <n>", "give up (exit 1) after n failed connection attempts in a row")
    .option(
      "--heartbeat <duration>",
      "ping interval; no pong within one interval = dead connection",
      "30s",
    )
    .option(
      "--renew-after <duration>",
      "open a fresh connection before the old one is this old",
      "110m",
    )
    .option("--insecure", "allow unencrypted ws:// to a host that is not loopback");
}

/** Feed and fault options shared by `demo` and `simulate`. */
export function addSimulatorOptions(command: Command, defaultRate: string): Command {
  return command
    .option(
      "--rate <events/s>",
      "average scans per second (Poisson arrivals; 0 = a silent feed)",
      defaultRate,
    )
    .option("--devices <n>", "number of simulated scanners", "8")
    .option("--seed <n>", "seed for a repeatable fleet and scan sequence")
    .option(
      "--reject <statuses>",
      "answer successive handshakes with these HTTP statuses, e.g. 500,429,ok",
    )
    .option("--drop-after <duration>", "cut every connection without a close frame after this long")
    .option(
      "--idle-timeout <duration>",
      "close with 1001 after this long without a message (API Gateway: 10m)",
    )
    .option("--max-age <duration>", "close with 1001 at this connection age (API Gateway: 2h)")
    .option("--stall-after <duration>", "then stop sending and stop answering pings")
    .option("--malformed <ratio>", "fraction (0-1) of events followed by a malformed frame")
    .option("--oversized-every <n>", "follow every n-th event with a 2 MiB frame")
    .option("--resend <n>", "send the last n events again to every new connection");
}

export function addSimulateOptions(command: Command): Command {
  return command
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--port <n>", "port to listen on (0 = any free port)", "0");
}
