import { z } from "zod";
import { didYouMean } from "./closest-match.js";
import { describeValue } from "./describe-value.js";
import { jsonPath } from "./json-path.js";
import type { RegistryProblem } from "./registry-problem.js";

type Issue = z.core.$ZodIssue;

const TYPE_WORDS: Record<string, string> = {
  string: "a string",
  int: "an integer",
  number: "a number",
  boolean: "true or false",
  array: "a list",
  object: "a mapping",
};

/**
 * Turns zod's issues for one file into problems that say where, what was expected and what was found.
 * `schema` is the schema that was parsed; it is used to list the keys allowed where an unknown key is.
 */
export function zodIssueProblems(
  file: string,
  schema: z.ZodType,
  issues: readonly Issue[],
): RegistryProblem[] {
  const problems: RegistryProblem[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      const allowed = allowedKeysAt(schema, issue.path);
      for (const key of issue.keys) {
        const expected = allowed.length > 0 ? `, expected one of ${allowed.join(", ")}` : "";
        problems.push({
          file,
          path: jsonPath([...issue.path, key]),
          message: `unknown key${expected}${didYouMean(key, allowed)}`,
        });
      }
      continue;
    }
    problems.push({
      file,
      path: jsonPath(issue.path),
      message: describeIssue(issue, schemaAt(schema, issue.path)),
    });
  }
  return problems;
}

function describeIssue(issue: Issue, schema: z.ZodType | undefined): string {
  const found = issue.input === undefined ? "nothing (the key is required)" : describeValue(issue.input);
  switch (issue.code) {
    case "invalid_type": {
      const expected = schema instanceof z.ZodNumber && schema.isInt ? "int" : issue.expected;
      return `expected ${TYPE_WORDS[expected] ?? expected}, found ${found}`;
    }
    case "too_small":
    case "too_big":
      return `expected ${describeBound(issue)}, found ${found}`;
    case "invalid_value":
      return `expected one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}, found ${found}`;
    case "invalid_format":
    case "custom":
      return `expected ${issue.message}, found ${found}`;
    default:
      return `${issue.message}, found ${found}`;
  }
}

function describeBound(issue: z.core.$ZodIssueTooSmall | z.core.$ZodIssueTooBig): string {
  const small = issue.code === "too_small";
  const limit = Number(small ? issue.minimum : issue.maximum);
  const bound = small ? "at least" : "at most";
  switch (issue.origin) {
    case "string":
      return small && limit === 1 ? "a non-empty string" : `a string of ${bound} ${limit} characters`;
    case "array":
      return `a list of ${bound} ${limit} item${limit === 1 ? "" : "s"}`;
    default:
      return `a number ${small ? "≥" : "≤"} ${limit}`;
  }
}

/** The keys an object schema allows at `path` (empty if the path does not lead to an object schema). */
function allowedKeysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const found = schemaAt(schema, path);
  return found instanceof z.ZodObject ? Object.keys(found.shape) : [];
}

/** The schema that applies at `path`, without optional/default wrappers, if it can be followed there. */
function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  let current: z.ZodType | undefined = unwrap(schema);
  for (const segment of path) {
    if (current instanceof z.ZodObject && typeof segment === "string") {
      const shape: Record<string, z.ZodType> = current.shape;
      current = shape[segment];
    } else if (current instanceof z.ZodArray && typeof segment === "number") {
      current = current.element as z.ZodType;
    } else {
      return undefined;
    }
    if (current === undefined) return undefined;
    current = unwrap(current);
  }
  return current;
}

function unwrap(schema: z.ZodType): z.ZodType {
  let current = schema;
  while (
    current instanceof z.ZodOptional ||
    current instanceof z.ZodDefault ||
    current instanceof z.ZodNullable
  ) {
    current = current.unwrap() as z.ZodType;
  }
  return current;
}
