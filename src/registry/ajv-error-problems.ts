import type { ErrorObject } from "ajv/dist/2020.js";
import { describeValue } from "./describe-value.js";
import { jsonPath } from "./json-path.js";
import type { RegistryProblem } from "./registry-problem.js";

/**
 * Turns ajv's errors for `data` into problems in words: one per location, saying what was expected
 * there and what was found. Alternatives (anyOf/oneOf) are merged into "expected A or B".
 */
export function ajvErrorProblems(
  file: string,
  data: unknown,
  errors: readonly ErrorObject[],
): RegistryProblem[] {
  const byLocation = new Map<string, ErrorObject[]>();
  for (const error of errors) {
    const group = byLocation.get(error.instancePath) ?? [];
    group.push(error);
    byLocation.set(error.instancePath, group);
  }
  const problems: RegistryProblem[] = [];
  for (const [pointer, group] of byLocation) {
    const segments = pointerSegments(data, pointer);
    const found = describeValue(valueAt(data, segments));
    const specific = group.filter((error) => !["anyOf", "oneOf", "allOf", "if"].includes(error.keyword));
    const phrases = [...new Set((specific.length > 0 ? specific : group).map(phrase))];
    const message = phrases.every((p) => p.startsWith("must be "))
      ? `expected ${phrases.map((p) => p.slice("must be ".length)).join(" or ")}, found ${found}`
      : `${phrases.join("; ")} (found ${found})`;
    problems.push({ file, path: jsonPath(segments), message });
  }
  return problems;
}

function phrase(error: ErrorObject): string {
  if (error.keyword === "enum") {
    const allowed = (error.params as { allowedValues?: unknown[] }).allowedValues ?? [];
    return `must be one of ${allowed.map((value) => JSON.stringify(value)).join(", ")}`;
  }
  if (error.keyword === "additionalProperties") {
    const extra = (error.params as { additionalProperty?: string }).additionalProperty;
    return `must not have the key ${JSON.stringify(extra)}`;
  }
  return error.message ?? `must satisfy "${error.keyword}"`;
}

/** JSON Pointer segments, with array indexes as numbers. */
function pointerSegments(data: unknown, pointer: string): PropertyKey[] {
  if (pointer === "") return [];
  const segments: PropertyKey[] = [];
  let current = data;
  for (const raw of pointer.slice(1).split("/")) {
    const key = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    const segment = Array.isArray(current) && /^\d+$/.test(key) ? Number(key) : key;
    segments.push(segment);
    current = valueAt(current, [segment]);
  }
  return segments;
}

function valueAt(data: unknown, segments: readonly PropertyKey[]): unknown {
  let current = data;
  for (const segment of segments) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}
