import type { AnyRegistryEntry } from "./registry.js";
import type { RegistryProblem } from "./registry-problem.js";

/**
 * Indexes entries by `name@version`. A second file with the same name@version is a problem, and so is
 * one that redefines an entry of `base` with different content (identical content is harmless).
 */
export function indexEntries<E extends AnyRegistryEntry>(
  entries: readonly E[],
  base: ReadonlyMap<string, E> | undefined,
  baseDir: string | undefined,
  problems: RegistryProblem[],
): Map<string, E> {
  const index = new Map<string, E>();
  for (const entry of entries) {
    const path = entry.kind === "artifact-schema" ? undefined : "$.name";
    const earlier = index.get(entry.ref);
    const inBase = base?.get(entry.ref);
    if (earlier !== undefined) {
      problems.push({
        file: entry.file,
        ...(path && { path }),
        message: `${entry.ref} is already defined in ${earlier.file}`,
      });
    } else if (inBase !== undefined && inBase.hash !== entry.hash) {
      problems.push({
        file: entry.file,
        ...(path && { path }),
        message: `${entry.ref} is already defined with different content in ${baseDir ?? "the base registry"}/${inBase.file}`,
      });
    } else {
      index.set(entry.ref, entry);
    }
  }
  return index;
}
