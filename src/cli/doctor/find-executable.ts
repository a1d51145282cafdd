// Where a command resolves on PATH, as a shell would find it (an executable regular file).
import { accessSync, constants, statSync } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";

export function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The absolute path `command` runs as with this PATH, or undefined. */
export function findExecutable(command: string, path: string | undefined): string | undefined {
  if (command.includes("/")) return isAbsolute(command) && isExecutableFile(command) ? command : undefined;
  for (const dir of (path ?? "").split(delimiter)) {
    if (dir === "") continue;
    const candidate = join(dir, command);
    if (isExecutableFile(candidate)) return candidate;
  }
  return undefined;
}
