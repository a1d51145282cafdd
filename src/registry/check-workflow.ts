import { checkRevision } from "./check-revision.js";
import { didYouMean } from "./closest-match.js";
import type { WorkflowFile } from "./registry-files.js";
import type { RegistryProblem } from "./registry-problem.js";

/**
 * Checks that a workflow template is consistent in itself: role ids, gate keys and phase keys are
 * unique; every phase names a declared role and gate; `onReject` goes back to this phase or an earlier
 * one; `defaultGates` lists declared gates and is present whenever gates are declared; the `revision`
 * section fits the phases and gates (check-revision.ts).
 */
export function checkWorkflow(file: string, workflow: WorkflowFile): RegistryProblem[] {
  const problems: RegistryProblem[] = [];
  const problem = (path: string, message: string) => problems.push({ file, path, message });

  const roleIds = uniqueKeys(workflow.roles, "id", "$.roles", "role id", problem);
  const gateKeys = uniqueKeys(workflow.gates, "key", "$.gates", "gate key", problem);
  const phaseKeys = uniqueKeys(workflow.phases, "key", "$.phases", "phase key", problem);

  workflow.phases.forEach((phase, index) => {
    const at = `$.phases[${index}]`;
    if (!roleIds.includes(phase.role)) {
      problem(
        `${at}.role`,
        `expected one of the roles declared in $.roles (${list(roleIds)}), found ${quote(phase.role)}${didYouMean(phase.role, roleIds)}`,
      );
    }
    if (phase.gate !== undefined && !gateKeys.includes(phase.gate)) {
      problem(
        `${at}.gate`,
        `expected one of the gates declared in $.gates (${list(gateKeys)}), found ${quote(phase.gate)}${didYouMean(phase.gate, gateKeys)}`,
      );
    }
    if (phase.onReject !== undefined) {
      const reachable = workflow.phases.slice(0, index + 1).map((p) => p.key);
      if (!reachable.includes(phase.onReject)) {
        const why = phaseKeys.includes(phase.onReject)
          ? " (a later phase)"
          : didYouMean(phase.onReject, phaseKeys);
        problem(
          `${at}.onReject`,
          `expected the key of this phase or an earlier one (${list(reachable)}), found ${quote(phase.onReject)}${why}`,
        );
      }
    }
  });

  if (workflow.defaultGates === undefined) {
    if (gateKeys.length > 0) {
      problem(
        "$.defaultGates",
        `expected the list of gates on by default (any of ${list(gateKeys)}, or [] for none), found nothing (the key is required when gates are declared)`,
      );
    }
  } else {
    const seen = new Set<string>();
    workflow.defaultGates.forEach((gate, index) => {
      if (!gateKeys.includes(gate)) {
        problem(
          `$.defaultGates[${index}]`,
          `expected one of the gates declared in $.gates (${list(gateKeys)}), found ${quote(gate)}${didYouMean(gate, gateKeys)}`,
        );
      } else if (seen.has(gate)) {
        problem(`$.defaultGates[${index}]`, `expected each gate once, found ${quote(gate)} again`);
      }
      seen.add(gate);
    });
  }
  checkRevision(workflow, { phaseKeys, gateKeys }, problem);
  return problems;
}

/** The distinct values of `items[i][field]`, reporting every repeat. */
function uniqueKeys<F extends string>(
  items: ReadonlyArray<Record<F, string>>,
  field: F,
  at: string,
  what: string,
  problem: (path: string, message: string) => void,
): string[] {
  const firstIndex = new Map<string, number>();
  items.forEach((item, index) => {
    const value = item[field];
    const first = firstIndex.get(value);
    if (first === undefined) {
      firstIndex.set(value, index);
    } else {
      problem(
        `${at}[${index}].${field}`,
        `expected a unique ${what}, found ${quote(value)}, already used at ${at}[${first}].${field}`,
      );
    }
  });
  return [...firstIndex.keys()];
}

function list(values: readonly string[]): string {
  return values.length === 0 ? "none declared" : values.join(", ");
}

function quote(value: string): string {
  return JSON.stringify(value);
}
