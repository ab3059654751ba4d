/**
 * Symbology names as Insight reports them in `scan_decode_symbology` (spelling varies:
 * `EAN-13` but `CODE 128`). Filters compare names ignoring case, spaces, `-` and `_`;
 * this list only feeds typo warnings for `-y` and shell completion, so a name missing
 * here still filters — it just earns a "not a known symbology" warning.
 */
export const SYMBOLOGIES = [
  "AZTEC",
  "AZTEC CODE",
  "CODABAR",
  "CODE 11",
  "CODE 128",
  "CODE 39",
  "CODE 93",
  "DATA MATRIX",
  "EAN-13",
  "EAN-13 + 2",
  "EAN-13 + 5",
  "EAN-8",
  "GS1-128",
  "GS1 DATABAR",
  "GS1 DATABAR-14",
  "GS1 DATABAR EXPANDED",
  "GS1 DATABAR LIMITED",
  "GS1 DATAMATRIX",
  "GS1 QR CODE",
  "INTERLEAVED 2 OF 5",
  "ITF",
  "MAXICODE",
  "MICRO PDF417",
  "MICRO QR CODE",
  "MSI",
  "PDF-417",
  "QR CODE",
  "UPCA",
  "UPCE",
  "UPCE1",
  "UPC-A",
  "UPC-E",
] as const;

/** Event types the live feed and the REST history know. */
export const EVENT_TYPES = ["scan", "telemetry"] as const;

/**
 * Fields of a live event as ProGlove's live-data documentation lists them, for
 * typo warnings on `--fields` and `--template`. Unknown fields can still exist.
 */
export const EVENT_FIELDS = [
  "api_version",
  "event_type",
  "event_id",
  "time_created",
  "time_received",
  "scan_code",
  "scan_decode_symbology",
  "device_serial",
  "device_model",
  "device_manufacturer",
  "device_firmware",
  "device_battery",
  "gateway_id",
  "gateway_type",
  "gateway_model",
  "gateway_manufacturer",
  "gateway_firmware",
  "customer_gateway_name",
  "customer_gateway_usecase",
  "customer_gateway_station",
  "configuration_id",
  "configuration_profile_id",
  "configuration_tag",
  "configuration_profile_revision",
  "metrics",
  "metrics_worker_steps",
  "scan_duration",
] as const;
