import { ajvErrorProblems } from "./ajv-error-problems.js";
import { createAjv } from "./create-ajv.js";
import { describeValue } from "./describe-value.js";
import type { RegistryProblem } from "./registry-problem.js";

const DRAFT_2020_12 = "https://json-schema.org/draft/2020-12/schema";

/**
 * Checks that an artifact schema file is a usable JSON Schema 2020-12 for a JSON object: valid against
 * the 2020-12 meta-schema, and compilable by ajv (no unknown keywords, no unresolved `$ref`).
 */
export function checkArtifactSchema(file: string, schema: unknown): RegistryProblem[] {
  if (schema === null || typeof schema !== "object" || Array.isArray(schema)) {
    return [{ file, path: "$", message: `expected a JSON Schema object, found ${describeValue(schema)}` }];
  }
  const problems: RegistryProblem[] = [];
  const declared = (schema as Record<string, unknown>).$schema;
  if (declared !== undefined && declared !== DRAFT_2020_12 && declared !== `${DRAFT_2020_12}#`) {
    problems.push({
      file,
      path: "$.$schema",
      message: `expected "${DRAFT_2020_12}" (or no $schema), found ${describeValue(declared)}`,
    });
    return problems;
  }
  if ((schema as Record<string, unknown>).type !== "object") {
    problems.push({
      file,
      path: "$.type",
      message: `expected "object" (an artifact is a JSON object), found ${describeValue((schema as Record<string, unknown>).type)}`,
    });
  }
  const ajv = createAjv();
  if (!ajv.validateSchema(schema)) {
    problems.push(...ajvErrorProblems(file, schema, ajv.errors ?? []));
    return problems;
  }
  try {
    ajv.compile(schema);
  } catch (error) {
    problems.push({ file, path: "$", message: `not a usable JSON Schema: ${(error as Error).message}` });
  }
  return problems;
}
