/**
 * What devflow hands an agent for one phase attempt (DESIGN §2). The agent finishes the phase by
 * writing `expectedArtifact` as JSON valid against `expectedSchema`.
 */
export interface PromptEnvelope {
  readonly uuid: string;
  readonly runId: string;
  readonly roleId: string;
  readonly phaseKey: string;
  readonly attempt: number;
  /** Absolute path where the agent writes the artifact JSON. */
  readonly expectedArtifact: string;
  /** Artifact type, e.g. `dev/spec@1`. */
  readonly expectedSchema: string;
  /** Absolute path of the artifact type's JSON Schema file. */
  readonly expectedSchemaPath: string;
  /** Unique per prompt: a replayed job never sends the same prompt twice. */
  readonly dedupKey: string;
  /** The whole prompt as Markdown: persona, phase instructions, fenced user-supplied data. */
  readonly instructions: string;
}

/** `${runId}:${phaseKey}:${attempt}:${prompt}`; `prompt` counts re-prompts within one attempt (0 first). */
export function promptDedupKey(runId: string, phaseKey: string, attempt: number, prompt: number): string {
  return `${runId}:${phaseKey}:${attempt}:${prompt}`;
}
