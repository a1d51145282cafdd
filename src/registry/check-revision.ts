import { didYouMean } from "./closest-match.js";
import type { WorkflowFile } from "./registry-files.js";

/**
 * Checks a template's `revision` section against its phases and gates: the phases a revision runs are
 * declared ones, each once, in the template's order, and a rejection inside a revision goes back to a
 * phase the revision runs; its gate is a declared gate.
 */
export function checkRevision(
  workflow: WorkflowFile,
  declared: { phaseKeys: readonly string[]; gateKeys: readonly string[] },
  problem: (path: string, message: string) => void,
): void {
  const revision = workflow.revision;
  if (revision === undefined) return;
  const { phaseKeys, gateKeys } = declared;
  const seen: string[] = [];
  revision.phases.forEach((key, index) => {
    const at = `$.revision.phases[${index}]`;
    if (!phaseKeys.includes(key)) {
      problem(
        at,
        `expected one of the phases declared in $.phases (${list(phaseKeys)}), found ${quote(key)}${didYouMean(key, phaseKeys)}`,
      );
      return;
    }
    if (seen.includes(key)) {
      problem(at, `expected each phase once, found ${quote(key)} again`);
      return;
    }
    const previous = seen.at(-1);
    if (previous !== undefined && phaseKeys.indexOf(key) < phaseKeys.indexOf(previous)) {
      problem(
        at,
        `expected the phases in the order of $.phases (${list(phaseKeys)}), found ${quote(key)} after ${quote(previous)}`,
      );
    }
    seen.push(key);
  });
  workflow.phases.forEach((phase, index) => {
    if (!seen.includes(phase.key) || phase.onReject === undefined || seen.includes(phase.onReject)) return;
    problem(
      `$.phases[${index}].onReject`,
      `expected a phase that a revision runs ($.revision.phases: ${list(seen)}), since ${quote(phase.key)} is one of them; found ${quote(phase.onReject)}, which a revision does not run`,
    );
  });
  if (revision.gate !== undefined && !gateKeys.includes(revision.gate)) {
    problem(
      "$.revision.gate",
      `expected one of the gates declared in $.gates (${list(gateKeys)}), found ${quote(revision.gate)}${didYouMean(revision.gate, gateKeys)}`,
    );
  }
}

function list(values: readonly string[]): string {
  return values.length === 0 ? "none declared" : values.join(", ");
}

function quote(value: string): string {
  return JSON.stringify(value);
}
