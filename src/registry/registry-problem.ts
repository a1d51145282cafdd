import { DevflowError } from "../errors/index.js";

/** One thing wrong with one registry file: where, and what was expected versus found. */
export interface RegistryProblem {
  /** Path of the file relative to the registry directory, with `/` separators. */
  readonly file: string;
  /** Where in the file: a JSON path such as `$.phases[1].role`, or `line 3, column 5`. */
  readonly path?: string;
  readonly message: string;
}

export type RegistryProblemCode =
  | "registry_invalid_file"
  | "registry_duplicate"
  | "registry_reference_unknown"
  | "registry_version_conflict";

const HEADINGS: Record<RegistryProblemCode, string> = {
  registry_invalid_file: "Invalid registry file content",
  registry_duplicate: "The same name@version is defined twice",
  registry_reference_unknown: "Registry files refer to something that does not exist",
  registry_version_conflict: "Registry files differ from the versions already stored",
};

export function formatProblem(problem: RegistryProblem): string {
  return problem.path === undefined
    ? `${problem.file}: ${problem.message}`
    : `${problem.file}: ${problem.path}: ${problem.message}`;
}

/** One error listing every problem found, so a person can fix them all in one go. */
export function registryError(
  code: RegistryProblemCode,
  dir: string,
  problems: readonly RegistryProblem[],
): DevflowError {
  const lines = problems.map((problem) => `  - ${formatProblem(problem)}`);
  return new DevflowError(`${HEADINGS[code]} (registry ${dir}):\n${lines.join("\n")}`, {
    code,
    details: { dir, problems },
  });
}
