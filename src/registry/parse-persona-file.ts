import { entryHash } from "./canonical-hash.js";
import type { FileResult } from "./file-result.js";
import { parseFileText } from "./parse-file-text.js";
import { formatReference } from "./parse-reference.js";
import type { PersonaEntry } from "./registry.js";
import { personaFileSchema } from "./registry-files.js";
import { zodIssueProblems } from "./zod-issue-problems.js";

/** Parses and validates the text of an agent persona file (`file` is its path in the registry). */
export function parsePersonaFile(file: string, text: string): FileResult<PersonaEntry> {
  const parsed = parseFileText(file, text);
  if (!parsed.ok) return parsed;
  const result = personaFileSchema.safeParse(parsed.data, { reportInput: true });
  if (!result.success) {
    return { ok: false, problems: zodIssueProblems(file, personaFileSchema, result.error.issues) };
  }
  const definition = result.data;
  const { name, version } = definition;
  return {
    ok: true,
    entry: {
      kind: "persona",
      name,
      version,
      ref: formatReference(name, version),
      file,
      hash: entryHash("persona", name, version, definition),
      definition,
    },
  };
}
