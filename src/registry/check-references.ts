import { didYouMean } from "./closest-match.js";
import type { Registry } from "./registry.js";
import type { RegistryProblem } from "./registry-problem.js";

/**
 * Checks the references between files: every role's persona and every phase's artifact schema must
 * be defined, in `registry` itself or in `base` (e.g. the built-in registry under a repository's own).
 */
export function checkReferences(registry: Registry, base?: Registry): RegistryProblem[] {
  const personas = new Set([...registry.personas.keys(), ...(base?.personas.keys() ?? [])]);
  const schemas = new Set([...registry.schemas.keys(), ...(base?.schemas.keys() ?? [])]);
  const problems: RegistryProblem[] = [];
  for (const workflow of registry.workflows.values()) {
    const { file, definition } = workflow;
    definition.roles.forEach((role, index) => {
      if (!personas.has(role.persona)) {
        problems.push({
          file,
          path: `$.roles[${index}].persona`,
          message: `expected a persona defined in personas/ (${known(personas)}), found ${JSON.stringify(role.persona)}${didYouMean(role.persona, personas)}`,
        });
      }
    });
    definition.phases.forEach((phase, index) => {
      if (!schemas.has(phase.artifact)) {
        problems.push({
          file,
          path: `$.phases[${index}].artifact`,
          message: `expected an artifact schema defined in schemas/ (${known(schemas)}), found ${JSON.stringify(phase.artifact)}${didYouMean(phase.artifact, schemas)}`,
        });
      }
    });
  }
  return problems;
}

function known(refs: ReadonlySet<string>): string {
  return refs.size === 0 ? "none defined" : [...refs].sort().join(", ");
}
