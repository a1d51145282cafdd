// An artifact's schema violations in words a person (and the agent, on a re-prompt) can act on: where,
// what was expected and what was found, never the raw Ajv message. Split from the validator, which reads
// and judges the file.
import type { ErrorObject } from "ajv/dist/2020.js";
import type { JsonSchemaObject } from "../registry/index.js";
import { jsonPath } from "../registry/index.js";

const TYPE_WORDS: Record<string, string> = {
  array: "an array",
  object: "an object",
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "true or false",
  null: "null",
};

export function describeError(error: ErrorObject, data: unknown, schema: JsonSchemaObject): string {
  const segments = pointerSegments(data, error.instancePath);
  const where = jsonPath(segments);
  const found = describeJson(valueAt(data, segments));
  const params = error.params as Record<string, unknown>;
  const limit = params.limit as number;
  switch (error.keyword) {
    case "required":
      return `${where}: missing required property ${JSON.stringify(params.missingProperty)}`;
    case "additionalProperties": {
      const allowed = Object.keys(propertiesBeside(schema, error.schemaPath));
      const hint = allowed.length > 0 ? ` (allowed: ${allowed.join(", ")})` : "";
      return `${where}: unexpected property ${describeJson(params.additionalProperty)}${hint}`;
    }
    case "type": {
      const types = Array.isArray(params.type) ? params.type : String(params.type).split(",");
      return `${where}: expected ${types.map((type) => TYPE_WORDS[type] ?? type).join(" or ")}, found ${found}`;
    }
    case "enum":
      return `${where}: must be one of ${(params.allowedValues as unknown[]).map(plain).join(", ")}, found ${found}`;
    case "const":
      return `${where}: must be ${plain(params.allowedValue)}, found ${found}`;
    case "minLength":
      return limit === 1
        ? `${where}: must not be empty`
        : `${where}: must be at least ${limit} characters long, found ${found}`;
    case "minItems":
      return `${where}: must list at least ${limit === 1 ? "one item" : `${limit} items`}, found ${found}`;
    case "pattern": {
      const described = schemaAt(schema, error.schemaPath.split("/").slice(0, -1))?.description;
      const hint = typeof described === "string" ? ` (${described.replace(/\.$/, "")})` : "";
      return `${where}: must match the pattern ${params.pattern as string}${hint}, found ${found}`;
    }
    case "format":
      return `${where}: must be a valid ${params.format as string}, found ${found}`;
    default:
      return `${where}: ${error.message ?? `must satisfy "${error.keyword}"`}, found ${found}`;
  }
}

/** The `properties` of the schema object holding the keyword at `schemaPath` (`#/properties/x/additionalProperties`). */
function propertiesBeside(schema: JsonSchemaObject, schemaPath: string): Record<string, unknown> {
  const holder = schemaAt(schema, schemaPath.split("/").slice(0, -1));
  const properties = holder?.properties;
  return properties !== null && typeof properties === "object" ? (properties as Record<string, unknown>) : {};
}

function schemaAt(schema: JsonSchemaObject, pointer: readonly string[]): Record<string, unknown> | undefined {
  if (pointer[0] !== "#") return undefined;
  const found = valueAt(schema, pointer.slice(1).map(unescapePointer));
  return found !== null && typeof found === "object" ? (found as Record<string, unknown>) : undefined;
}

function pointerSegments(data: unknown, pointer: string): PropertyKey[] {
  if (pointer === "") return [];
  const segments: PropertyKey[] = [];
  for (const raw of pointer.slice(1).split("/")) {
    const key = unescapePointer(raw);
    const parent = valueAt(data, segments);
    segments.push(Array.isArray(parent) && /^\d+$/.test(key) ? Number(key) : key);
  }
  return segments;
}

function unescapePointer(segment: string): string {
  return segment.replaceAll("~1", "/").replaceAll("~0", "~");
}

function valueAt(data: unknown, segments: readonly PropertyKey[]): unknown {
  let current = data;
  for (const segment of segments) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** How a JSON value reads in a problem: `"text"`, `3`, `an array of 2 items`, `an object`, `nothing`. */
function describeJson(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
  if (Array.isArray(value)) {
    return value.length === 0
      ? "an empty array"
      : `an array of ${value.length} item${value.length === 1 ? "" : "s"}`;
  }
  if (value !== null && typeof value === "object") return "an object";
  return String(value);
}

function plain(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}
