import { createHash } from "node:crypto";

/**
 * JSON with object keys sorted recursively and no whitespace, so the same content always gives the
 * same text whatever the key order, formatting or source format (YAML or JSON) it came from.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    const text = JSON.stringify(value);
    if (text === undefined) throw new TypeError(`canonicalJson: ${typeof value} is not JSON`);
    return text;
  }
  if (Array.isArray(value)) {
    return `[${value.map((item) => (item === undefined ? "null" : canonicalJson(item))).join(",")}]`;
  }
  const entries = Object.entries(value)
    .filter(([, item]) => item !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`).join(",")}}`;
}

/** Hex sha256 of the canonical JSON of a value. */
export function canonicalHash(value: unknown): string {
  return createHash("sha256").update(canonicalJson(value)).digest("hex");
}

/** The hash of a registry entry: its kind, name and version as well as its content. */
export function entryHash(kind: string, name: string, version: number, content: unknown): string {
  return canonicalHash({ kind, name, version, content });
}
