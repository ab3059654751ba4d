/**
 * One live-feed event (api_version "0.5", docs/insight-api.md §1). Every field is optional
 * because the docs' example may be incomplete; unknown fields are kept as received.
 */
export interface ScanEvent {
  api_version?: string;
  event_type?: string;
  event_id?: string;
  time_created?: number;
  time_received?: number;
  scan_code?: string;
  scan_decode_symbology?: string;
  device_serial?: string;
  device_model?: string;
  device_manufacturer?: string;
  device_firmware?: string;
  device_battery?: number;
  gateway_id?: string;
  gateway_type?: string;
  gateway_model?: string;
  gateway_manufacturer?: string;
  gateway_firmware?: string;
  customer_gateway_name?: string;
  customer_gateway_usecase?: string;
  customer_gateway_station?: string;
  configuration_id?: string;
  configuration_profile_id?: string;
  configuration_tag?: string;
  configuration_profile_revision?: number;
  metrics?: Array<Record<string, unknown>>;
  metrics_worker_steps?: number;
  scan_duration?: number;
  [field: string]: unknown;
}

/** Reads a field as display text: strings as is, numbers/booleans/objects as JSON. */
export function fieldText(event: ScanEvent, field: string): string {
  // Own fields only: `constructor` or `__proto__` in --fields must not reach the prototype.
  const value = Object.hasOwn(event, field) ? event[field] : undefined;
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  // String(), not JSON: a number too big for a double (1e999) is "Infinity", not "null".
  if (typeof value === "number") return String(value);
  return JSON.stringify(value);
}

export function str(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

export function num(value: unknown): number | undefined {
  return Number.isFinite(value) ? (value as number) : undefined;
}

/** Device→cloud latency in ms, when both timestamps are present. */
export function latencyOf(event: ScanEvent): number | undefined {
  const created = num(event.time_created);
  const received = num(event.time_received);
  if (created === undefined || received === undefined) return undefined;
  return received - created;
}
