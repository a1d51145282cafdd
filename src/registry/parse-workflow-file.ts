import { entryHash } from "./canonical-hash.js";
import { checkWorkflow } from "./check-workflow.js";
import type { FileResult } from "./file-result.js";
import { parseFileText } from "./parse-file-text.js";
import { formatReference } from "./parse-reference.js";
import type { WorkflowEntry } from "./registry.js";
import { type WorkflowDefinition, workflowFileSchema } from "./registry-files.js";
import { zodIssueProblems } from "./zod-issue-problems.js";

/** Parses and validates the text of a workflow template file (`file` is its path in the registry). */
export function parseWorkflowFile(file: string, text: string): FileResult<WorkflowEntry> {
  const parsed = parseFileText(file, text);
  if (!parsed.ok) return parsed;
  const result = workflowFileSchema.safeParse(parsed.data, { reportInput: true });
  if (!result.success) {
    return { ok: false, problems: zodIssueProblems(file, workflowFileSchema, result.error.issues) };
  }
  const problems = checkWorkflow(file, result.data);
  if (problems.length > 0) return { ok: false, problems };
  const definition: WorkflowDefinition = { ...result.data, defaultGates: result.data.defaultGates ?? [] };
  const { name, version } = definition;
  return {
    ok: true,
    entry: {
      kind: "workflow",
      name,
      version,
      ref: formatReference(name, version),
      file,
      hash: entryHash("workflow", name, version, definition),
      definition,
    },
  };
}
