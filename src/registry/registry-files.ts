import { z } from "zod";

// The shape of workflow template and persona files (YAML or JSON). Unknown keys are errors: a typo
// must never pass silently. The `error` texts below say what is *expected*; the loader adds what was
// found and where.

const NAME = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$/;
const ID = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;
const SCHEMA_NAME = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*(?:\/[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*)*$/;
/** `<name>@<version>` naming a persona, e.g. `spec-writer@1`. */
export const PERSONA_REFERENCE = new RegExp(`^${NAME.source.slice(1, -1)}@[1-9][0-9]*$`);
/** `<schema name>@<version>` naming an artifact schema, e.g. `dev/spec@1`. */
export const SCHEMA_REFERENCE = new RegExp(`^${SCHEMA_NAME.source.slice(1, -1)}@[1-9][0-9]*$`);

const name = z
  .string()
  .max(64)
  .regex(NAME, { error: 'a lowercase name of letters, digits, "-" and "_", such as "development"' });
const version = z.int().min(1);
const id = (what: string, example: string) =>
  z
    .string()
    .max(64)
    .regex(ID, { error: `${what} in snake_case (lowercase letters, digits and "_"), such as "${example}"` });
const text = z.string().regex(/\S/, { error: "a non-empty text" });

const role = z.strictObject({
  id: id("a role id", "spec_writer"),
  persona: z.string().regex(PERSONA_REFERENCE, {
    error: 'a persona reference "<name>@<version>", such as "spec-writer@1"',
  }),
  agent: name.optional(),
});

const gate = z.strictObject({
  key: id("a gate key", "spec_approved"),
  description: text,
});

const phase = z.strictObject({
  key: id("a phase key", "implement"),
  role: id("a role id", "implementer"),
  artifact: z.string().regex(SCHEMA_REFERENCE, {
    error: 'an artifact schema reference "<schema name>@<version>", such as "dev/spec@1"',
  }),
  instructions: text,
  gate: id("a gate key", "spec_approved").optional(),
  onReject: id("a phase key", "spec").optional(),
  maxAttempts: z.int().min(1).default(3),
  timeoutSeconds: z.int().min(1),
});

/**
 * What a revision runs (DESIGN §2 "Revision"): some of the template's phases, in their order, optionally
 * behind a gate that a human approves first; `instructions` are added to each phase's for a revision.
 */
const revision = z.strictObject({
  phases: z.array(id("a phase key", "implement")).min(1),
  gate: id("a gate key", "revision_approved").optional(),
  instructions: text.optional(),
});

/** A workflow template file, e.g. `templates/workflows/development.yaml`. */
export const workflowFileSchema = z.strictObject({
  name,
  version,
  description: text,
  roles: z.array(role).min(1),
  gates: z.array(gate).default([]),
  /** Required whenever `gates` is not empty (checked by checkWorkflow): gating is never implicit. */
  defaultGates: z.array(id("a gate key", "spec_approved")).optional(),
  phases: z.array(phase).min(1),
  /** Without it, a run of this template cannot be revised. */
  revision: revision.optional(),
});

/** An agent persona file, e.g. `templates/personas/reviewer.yaml`. */
export const personaFileSchema = z.strictObject({
  name,
  version,
  title: text,
  instructions: text,
});

export type WorkflowFile = z.output<typeof workflowFileSchema>;
export type WorkflowRole = z.output<typeof role>;
export type WorkflowGate = z.output<typeof gate>;
export type WorkflowPhase = z.output<typeof phase>;
export type WorkflowRevision = z.output<typeof revision>;

/** A validated workflow template, defaults applied. This is what is hashed and stored. */
export interface WorkflowDefinition extends Omit<WorkflowFile, "defaultGates"> {
  readonly defaultGates: string[];
}

export type PersonaDefinition = z.output<typeof personaFileSchema>;
