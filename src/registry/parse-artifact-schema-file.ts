import { entryHash } from "./canonical-hash.js";
import { checkArtifactSchema } from "./check-artifact-schema.js";
import type { FileResult } from "./file-result.js";
import { parseFileText } from "./parse-file-text.js";
import { parseReference } from "./parse-reference.js";
import type { ArtifactSchemaEntry, JsonSchemaObject } from "./registry.js";
import { SCHEMA_REFERENCE } from "./registry-files.js";

/**
 * Parses and checks an artifact schema file. Its id is its path under `schemas/` without `.json`:
 * `schemas/dev/spec@1.json` defines `dev/spec@1` (name `dev/spec`, version 1).
 */
export function parseArtifactSchemaFile(file: string, text: string): FileResult<ArtifactSchemaEntry> {
  const id = file.replace(/^schemas\//, "").replace(/\.json$/i, "");
  const reference = SCHEMA_REFERENCE.test(id) ? parseReference(id) : undefined;
  if (reference === undefined) {
    return {
      ok: false,
      problems: [
        {
          file,
          message: `expected a file name "<name>@<version>.json" in lowercase, such as "schemas/dev/spec@1.json", found ${JSON.stringify(file)}`,
        },
      ],
    };
  }
  const parsed = parseFileText(file, text);
  if (!parsed.ok) return parsed;
  const problems = checkArtifactSchema(file, parsed.data);
  if (problems.length > 0) return { ok: false, problems };
  const definition = parsed.data as JsonSchemaObject;
  const { name, version } = reference;
  return {
    ok: true,
    entry: {
      kind: "artifact-schema",
      name,
      version,
      ref: id,
      file,
      hash: entryHash("artifact-schema", name, version, definition),
      definition,
    },
  };
}
