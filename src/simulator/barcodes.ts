import type { Random } from "./random.js";

/** GS1 mod-10 check digit (EAN-8/13, UPC-A, ITF-14, GTIN-14, SSCC). */
export function gs1CheckDigit(digits: string): string {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    const d = digits.charCodeAt(digits.length - 1 - i) - 48;
    sum += i % 2 === 0 ? d * 3 : d;
  }
  return String((10 - (sum % 10)) % 10);
}

export function withCheckDigit(digits: string): string {
  return digits + gs1CheckDigit(digits);
}

export function isValidGs1(code: string): boolean {
  return /^\d+$/.test(code) && gs1CheckDigit(code.slice(0, -1)) === code.slice(-1);
}

/** ASCII group separator: FNC1 as scanners transmit it between variable-length AIs. */
export const GS = "\u001d";

const COMPANY_PREFIXES = [
  "4006381",
  "4012345",
  "5012345",
  "8712345",
  "3014260",
  "7612345",
  "0614141",
];
const LOT_CHARS = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789";

function lot(random: Random, n: number): string {
  let s = "";
  for (let i = 0; i < n; i++) s += LOT_CHARS[random.int(0, LOT_CHARS.length - 1)];
  return s;
}

function yymmdd(random: Random): string {
  const y = random.int(26, 29);
  const m = random.int(1, 12);
  const d = random.int(1, 28);
  return `${y}${String(m).padStart(2, "0")}${String(d).padStart(2, "0")}`;
}

/** A GTIN-14; `indicator` fixes its first digit (9: a variable-measure trade item). */
function gtin14(random: Random, indicator = random.int(0, 8)): string {
  const prefix = random.pick(COMPANY_PREFIXES);
  return withCheckDigit(`${indicator}${prefix}${random.digits(12 - prefix.length)}`);
}

export function sscc(random: Random): string {
  const prefix = random.pick(COMPANY_PREFIXES);
  return withCheckDigit(`${random.int(0, 9)}${prefix}${random.digits(16 - prefix.length)}`);
}

/** GS1 element string: fixed-length AIs first, variable-length ones ended by GS. */
function gs1ElementString(random: Random): string {
  const kind = random.int(0, 2);
  if (kind === 0) return `00${sscc(random)}`;
  const parts = [`01${gtin14(random)}`, `17${yymmdd(random)}`];
  if (kind === 2) parts.push(`11${yymmdd(random)}`);
  return `${parts.join("")}10${lot(random, random.int(4, 10))}${random.next() < 0.5 ? `${GS}21${random.digits(8)}` : ""}`;
}

/**
 * GS1 DataBar Expanded as on fresh food: a variable-measure GTIN, the net weight in kg
 * with three decimals (3103), a best-before date (15), sometimes a lot (10, last: it is
 * variable-length, so nothing follows it and no GS is needed).
 */
function databarExpanded(random: Random): string {
  const weight = String(random.int(100, 25_000)).padStart(6, "0");
  const lotPart = random.next() < 0.5 ? `10${lot(random, random.int(3, 8))}` : "";
  return `01${gtin14(random, 9)}3103${weight}15${yymmdd(random)}${lotPart}`;
}

/** Codes that fit their symbology, as a warehouse would scan them. */
export const SYMBOLOGIES: ReadonlyArray<readonly [string, number, (r: Random) => string]> = [
  [
    "CODE 128",
    30,
    (r) =>
      r.pick([
        () =>
          `LOC-${r.pick(["A", "B", "C", "D"])}${String(r.int(1, 40)).padStart(2, "0")}-${String(r.int(1, 12)).padStart(2, "0")}-${r.pick(["A", "B", "C"])}`,
        () => `TOTE-${r.digits(6)}`,
        () => `PGAS${r.digits(8)}`,
        () => `ORD${r.int(2026, 2026)}${r.digits(7)}`,
      ])(),
  ],
  ["EAN-13", 22, (r) => withCheckDigit(r.pick(COMPANY_PREFIXES) + r.digits(5))],
  ["GS1-128", 12, gs1ElementString],
  [
    "DATA MATRIX",
    6,
    (r) => `PN:${r.int(1000, 9999)}-${lot(r, 2)};SN:${lot(r, 10)};QTY:${r.int(1, 50)}`,
  ],
  ["GS1 DATAMATRIX", 5, gs1ElementString],
  ["QR CODE", 6, (r) => `https://id.gs1.org/01/${gtin14(r)}/10/${lot(r, 6)}`],
  [
    "CODE 39",
    6,
    (r) => `BIN${r.int(10, 99)}${r.pick(["A", "B", "C"])}${String(r.int(1, 20)).padStart(2, "0")}`,
  ],
  ["EAN-8", 3, (r) => withCheckDigit(r.digits(7))],
  ["UPCA", 4, (r) => withCheckDigit(`0${r.digits(10)}`)],
  ["ITF", 3, (r) => gtin14(r)],
  [
    "PDF-417",
    2,
    (r) => `SHIP TO: ${r.pick(["Lager Nord", "DC West", "Hub 7"])}\nREF ${r.digits(10)}`,
  ],
  ["CODE 93", 1, (r) => `K${r.digits(9)}`],
  // DataBar carries AI (01) and a GTIN-14 (Limited: indicator digit 0 or 1 only); scanners
  // transmit the element string. Names as in src/events/symbologies.ts.
  ["GS1 DATABAR", 3, (r) => `01${gtin14(r)}`],
  ["GS1 DATABAR LIMITED", 1, (r) => `01${gtin14(r, r.int(0, 1))}`],
  ["GS1 DATABAR EXPANDED", 2, databarExpanded],
];
