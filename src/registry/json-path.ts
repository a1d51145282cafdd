/**
 * A JSONPath-style location for messages: `$`, `$.phases[1].role`, `$.properties["my-key"]`.
 * Segments are object keys (strings) and array indexes (numbers).
 */
export function jsonPath(segments: readonly PropertyKey[]): string {
  let out = "$";
  for (const segment of segments) {
    if (typeof segment === "number") {
      out += `[${segment}]`;
    } else if (typeof segment === "string" && /^[A-Za-z_$][\w$]*$/.test(segment)) {
      out += `.${segment}`;
    } else {
      out += `[${JSON.stringify(String(segment))}]`;
    }
  }
  return out;
}
