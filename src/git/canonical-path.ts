import { realpath } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";

/** An absolute path with symlinks resolved as far as it exists (git records worktrees by real path). */
export async function canonicalPath(path: string): Promise<string> {
  const absolute = resolve(path);
  try {
    return await realpath(absolute);
  } catch {
    const parent = dirname(absolute);
    if (parent === absolute) return absolute;
    return join(await canonicalPath(parent), basename(absolute));
  }
}
