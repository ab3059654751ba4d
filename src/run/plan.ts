import type { FilterOptions } from "../events/filter.js";
import type { ColorMode } from "../format/color.js";
import type { DeviceSort, FormatName, TimeMode } from "../format/names.js";

/**
 * What the pipeline needs to know about output and run controls, resolved and validated
 * from flags, environment and profile by the command layer before any I/O.
 */
export interface OutputPlan {
  format: FormatName;
  filterOptions: FilterOptions;
  count?: number;
  timeoutMs?: number;
  teePath?: string;
  fields?: string[];
  time: TimeMode;
  summary: boolean;
  colorMode: ColorMode;
  template?: string;
  /** csv/tsv/table header line (`--no-header` → false). */
  header: boolean;
  wide: boolean;
  /** `--highlight` regex source. */
  highlight?: string;
  /** `--sort`: the devices view's row order. */
  sort?: DeviceSort;
  ignoreCase: boolean;
  /** `-q`: no banner, status lines or summary; errors and data warnings still shown. */
  quiet: boolean;
}
