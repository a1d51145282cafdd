// Pure questions about a workflow template's phases, asked by transitions.

import { DevflowError } from "../errors/index.js";
import type { WorkflowDefinition, WorkflowPhase } from "../registry/index.js";

export function readDefinition(definition: unknown): WorkflowDefinition {
  return definition as WorkflowDefinition;
}

export function findPhase(template: WorkflowDefinition, key: string): WorkflowPhase {
  const phase = template.phases.find((candidate) => candidate.key === key);
  if (!phase) {
    throw new DevflowError(`The template ${template.name}@${template.version} has no phase "${key}".`, {
      code: "internal_error",
    });
  }
  return phase;
}

/** Which cycle a run is: its first (1), or a revision of it (2 and up). */
export interface RunCycle {
  readonly revision: number;
}

/** The phases a run goes through: all of the template's for a first run, its revision phases for a revision. */
export function phasesOf(template: WorkflowDefinition, run: RunCycle): WorkflowPhase[] {
  if (run.revision <= 1 || !template.revision) return template.phases;
  return template.revision.phases.map((key) => findPhase(template, key));
}

export function firstPhase(template: WorkflowDefinition, run: RunCycle): WorkflowPhase | undefined {
  return phasesOf(template, run)[0];
}

export function phaseAfter(
  template: WorkflowDefinition,
  key: string,
  run: RunCycle,
): WorkflowPhase | undefined {
  const phases = phasesOf(template, run);
  const index = phases.findIndex((candidate) => candidate.key === key);
  return index < 0 ? undefined : phases[index + 1];
}

/** The gate a revision waits at before its first phase, when its template names one and the run has it on. */
export function revisionGate(
  template: WorkflowDefinition,
  run: RunCycle & { readonly gates: readonly string[] },
): string | undefined {
  const gate = run.revision > 1 ? template.revision?.gate : undefined;
  return gate !== undefined && run.gates.includes(gate) ? gate : undefined;
}

/** The phase's instructions, with the template's words for a revision added when the run is one. */
export function phaseInstructions(template: WorkflowDefinition, phase: WorkflowPhase, run: RunCycle): string {
  const extra = run.revision > 1 ? template.revision?.instructions?.trim() : undefined;
  return extra ? `${phase.instructions.trim()}\n\n${extra}` : phase.instructions;
}

/** The phase a rejection at `key` goes back to (the phase itself unless the template names another). */
export function rejectionTarget(template: WorkflowDefinition, key: string): WorkflowPhase {
  const phase = findPhase(template, key);
  return findPhase(template, phase.onReject ?? phase.key);
}

export function roleOf(template: WorkflowDefinition, roleId: string) {
  const role = template.roles.find((candidate) => candidate.id === roleId);
  if (!role) {
    throw new DevflowError(`The template ${template.name}@${template.version} has no role "${roleId}".`, {
      code: "internal_error",
    });
  }
  return role;
}
