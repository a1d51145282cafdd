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

export function firstPhase(template: WorkflowDefinition): WorkflowPhase | undefined {
  return template.phases[0];
}

export function phaseAfter(template: WorkflowDefinition, key: string): WorkflowPhase | undefined {
  const index = template.phases.findIndex((candidate) => candidate.key === key);
  return index < 0 ? undefined : template.phases[index + 1];
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
