import { normalizeSymbology } from "../events/filter.js";

/**
 * Common `scan_decode_symbology` names of the Insight feed (the list published for
 * ProGlove Connect has about a hundred; these are the ones seen in practice). Their
 * spacing and hyphens are inconsistent (`EAN-13` but `CODE 128`), and -y ignores case,
 * spaces, `-` and `_`, so completion offers them in that compact spelling, which needs
 * no quoting in a shell: `ean13`, `code128`, `qrcode`.
 */
export const SYMBOLOGY_NAMES = [
  "CODE 128",
  "CODE 39",
  "CODE 93",
  "EAN-13",
  "EAN-8",
  "EAN-13 + 2",
  "EAN-13 + 5",
  "UPCA",
  "UPCE1",
  "GS1-128",
  "DATA MATRIX",
  "GS1 DATAMATRIX",
  "QR CODE",
  "MICRO QR CODE",
  "PDF-417",
  "AZTEC CODE",
  "ITF",
  "CODABAR",
  "GS1 DATABAR-14",
  "GS1 DATABAR LIMITED",
  "GS1 DATABAR EXPANDED",
  "MAXICODE",
] as const;

export const SYMBOLOGY_COMPLETIONS: readonly string[] = SYMBOLOGY_NAMES.map(normalizeSymbology);
