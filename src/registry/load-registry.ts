import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import { DevflowError } from "../errors/index.js";
import { checkReferences } from "./check-references.js";
import type { FileResult } from "./file-result.js";
import { indexEntries } from "./index-entries.js";
import { parseArtifactSchemaFile } from "./parse-artifact-schema-file.js";
import { parsePersonaFile } from "./parse-persona-file.js";
import { parseWorkflowFile } from "./parse-workflow-file.js";
import type { AnyRegistryEntry, Registry } from "./registry.js";
import { type RegistryProblem, registryError } from "./registry-problem.js";

export interface LoadRegistryOptions {
  /** Entries a registry's references may also resolve to (e.g. the built-in registry for a repository's own). */
  base?: Registry;
}

const YAML_OR_JSON = [".yaml", ".yml", ".json"];

/**
 * Loads and validates the registry in `dir`: `workflows/` and `personas/` (YAML or JSON) and
 * `schemas/` (JSON Schema files named `<name>@<version>.json`), each optional. Files and folders whose
 * name starts with "." are ignored. Nothing is returned unless everything is valid; otherwise one
 * DevflowError lists every problem (`registry_invalid_file`, then `registry_duplicate`, then
 * `registry_reference_unknown`), each naming the file, the path in it, what was expected and what was found.
 */
export async function loadRegistry(dir: string, options: LoadRegistryOptions = {}): Promise<Registry> {
  const root = path.resolve(dir);
  await requireDirectory(root);
  const problems: RegistryProblem[] = [];
  const workflows = await loadFiles(root, "workflows", YAML_OR_JSON, parseWorkflowFile, problems);
  const personas = await loadFiles(root, "personas", YAML_OR_JSON, parsePersonaFile, problems);
  const schemas = await loadFiles(root, "schemas", [".json"], parseArtifactSchemaFile, problems);
  if (problems.length > 0) throw registryError("registry_invalid_file", root, problems);

  const { base } = options;
  const registry: Registry = {
    dir: root,
    workflows: indexEntries(workflows, base?.workflows, base?.dir, problems),
    personas: indexEntries(personas, base?.personas, base?.dir, problems),
    schemas: indexEntries(schemas, base?.schemas, base?.dir, problems),
  };
  if (problems.length > 0) throw registryError("registry_duplicate", root, problems);

  const unresolved = checkReferences(registry, base);
  if (unresolved.length > 0) throw registryError("registry_reference_unknown", root, unresolved);
  return registry;
}

async function requireDirectory(root: string): Promise<void> {
  const stats = await stat(root).catch(() => undefined);
  if (stats?.isDirectory() !== true) {
    throw new DevflowError(`Registry directory ${root} does not exist or is not a directory`, {
      code: "registry_invalid_file",
      recoveryHint: "Point devflow at a directory holding workflows/, personas/ and schemas/.",
      details: { dir: root },
    });
  }
}

async function loadFiles<E extends AnyRegistryEntry>(
  root: string,
  folder: string,
  extensions: readonly string[],
  parse: (file: string, text: string) => FileResult<E>,
  problems: RegistryProblem[],
): Promise<E[]> {
  const entries: E[] = [];
  for (const file of await listFiles(root, folder)) {
    const extension = path.extname(file).toLowerCase();
    if (!extensions.includes(extension)) {
      problems.push({
        file,
        message: `expected a ${extensions.join(", ")} file in ${folder}/, found a ${extension || "file without extension"}`,
      });
      continue;
    }
    let text: string;
    try {
      text = await readFile(path.join(root, file), "utf8");
    } catch (error) {
      problems.push({ file, message: `cannot be read: ${(error as Error).message}` });
      continue;
    }
    const result = parse(file, text);
    if (result.ok) entries.push(result.entry);
    else problems.push(...result.problems);
  }
  return entries;
}

/** Files under `root/folder`, recursively, as sorted `/`-separated paths relative to `root`. */
async function listFiles(root: string, folder: string): Promise<string[]> {
  const base = path.join(root, folder);
  const stats = await stat(base).catch(() => undefined);
  if (stats === undefined) return [];
  if (!stats.isDirectory()) return [folder];
  const files: string[] = [];
  for (const relative of await readdir(base, { recursive: true })) {
    if (relative.split(path.sep).some((segment) => segment.startsWith("."))) continue;
    if (!(await stat(path.join(base, relative))).isFile()) continue;
    files.push([folder, ...relative.split(path.sep)].join("/"));
  }
  return files.sort();
}
