// An artifact already written for a phase attempt whose agent session is gone — the worker died, or
// `devflow run` was stopped with Ctrl-C and the agent finished meanwhile. Valid, it is accepted as if
// the session had delivered it: the work is paid for, and running the phase again would waste it.
import { DEFAULT_INPUT_LIMITS } from "../config/index.js";
import type { Run } from "../db/index.js";
import { isDevflowError } from "../errors/index.js";
import { type ArtifactSchema, validateArtifact } from "./artifact-validator.js";
import { findPhase, readDefinition } from "./template-plan.js";
import { artifactPathOf, type WorkerContext } from "./worker-context.js";

export interface WrittenArtifact {
  value: unknown;
  sha256: string;
}

/**
 * The attempt's artifact file when it exists and validates against its phase's schema — opened as the
 * phase itself opens it (a plain file under the workspace, no link on the way, within the size cap).
 * Anything else is not accepted here: the phase then judges the file as usual, with its reasons.
 */
export async function validWrittenArtifact(
  context: Pick<WorkerContext, "workspaceRoot" | "registry" | "limits">,
  run: Pick<Run, "id"> & { template: { definition: unknown } },
  phaseKey: string,
  attempt: number,
): Promise<WrittenArtifact | undefined> {
  const phase = findPhase(readDefinition(run.template.definition), phaseKey);
  const schema = context.registry.schemas.get(phase.artifact);
  if (!schema) return undefined;
  const path = artifactPathOf(context, run.id, phaseKey, attempt);
  const checked = await validateArtifact(path, schema.definition as ArtifactSchema, {
    root: context.workspaceRoot,
    maxBytes: context.limits?.artifactBytes ?? DEFAULT_INPUT_LIMITS.artifactBytes,
  }).catch((error: unknown) => (isDevflowError(error) ? undefined : Promise.reject(error)));
  return checked?.ok ? { value: checked.value, sha256: checked.sha256 } : undefined;
}
