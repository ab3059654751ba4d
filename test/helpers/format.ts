import type { ScanEvent } from "../../src/events/event.js";
import { plainChalk } from "../../src/format/color.js";
import type { FormatOptions } from "../../src/format/registry.js";
import { codePointWidth, type TextWidth } from "../../src/format/text-width.js";

/**
 * Renderer options for a test file: no colour, 80×24, UTC times, header on, then the
 * file's `defaults`, then each call's overrides. `text` is a getter because the real
 * text-width functions load asynchronously (in a beforeAll).
 */
export function formatOptions(
  defaults: Partial<FormatOptions> = {},
  text: () => TextWidth = () => codePointWidth,
): (overrides?: Partial<FormatOptions>) => FormatOptions {
  return (overrides = {}) => ({
    chalk: plainChalk,
    isTTY: false,
    columns: 80,
    rows: 24,
    time: "utc",
    now: () => 0,
    text: text(),
    header: true,
    wide: false,
    ...defaults,
    ...overrides,
  });
}

/** A complete scan event (an EAN-13 at a packing station), with overrides. */
export const sampleEvent = (overrides: Partial<ScanEvent> = {}): ScanEvent => ({
  event_id: "e1",
  event_type: "scan",
  time_created: 1_700_000_000_000,
  time_received: 1_700_000_000_250,
  scan_code: "4006381333931",
  scan_decode_symbology: "EAN-13",
  device_serial: "M2SR121103132",
  device_battery: 87,
  customer_gateway_station: "Packing Station North 12",
  customer_gateway_name: "Inbound Gateway 1",
  ...overrides,
});
