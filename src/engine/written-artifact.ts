// An artifact already written for a phase attempt whose agent session is gone — the worker died, or
// `devflow run` was stopped with Ctrl-C and the agent finished meanwhile. Valid, it is accepted as if
// the session had delivered it: the work is paid for, and running the phase again would waste it.
import type { Run } from "../db/generated/client.js";
import { type ArtifactSchema, validateArtifact } from "./artifact-validator.js";
import { findPhase, readDefinition } from "./template-plan.js";
import { artifactPathOf, type WorkerContext } from "./worker-context.js";

export interface WrittenArtifact {
  value: unknown;
  sha256: string;
}

/** The attempt's artifact file when it exists and validates against its phase's schema. */
export async function validWrittenArtifact(
  context: Pick<WorkerContext, "workspaceRoot" | "registry">,
  run: Pick<Run, "id"> & { template: { definition: unknown } },
  phaseKey: string,
  attempt: number,
): Promise<WrittenArtifact | undefined> {
  const phase = findPhase(readDefinition(run.template.definition), phaseKey);
  const schema = context.registry.schemas.get(phase.artifact);
  if (!schema) return undefined;
  const path = artifactPathOf(context, run.id, phaseKey, attempt);
  const checked = await validateArtifact(path, schema.definition as ArtifactSchema);
  return checked.ok ? { value: checked.value, sha256: checked.sha256 } : undefined;
}
