/** `*` and `?` globs, case-insensitive, anchored; everything else literal. */
export function globToRegExpSource(pattern: string): string {
  let out = "";
  for (const ch of pattern) {
    if (ch === "*") out += ".*";
    else if (ch === "?") out += ".";
    else out += ch.replace(/[\\^$.|+()[\]{}]/g, "\\$&");
  }
  return out;
}

export function hasGlob(pattern: string): boolean {
  return pattern.includes("*") || pattern.includes("?");
}

/** One regex matching any of the patterns (OR), case-insensitive, whole-string. */
export function globsToRegExp(patterns: readonly string[]): RegExp {
  return new RegExp(`^(?:${patterns.map(globToRegExpSource).join("|")})$`, "is");
}
