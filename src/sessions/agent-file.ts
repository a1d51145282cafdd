// Reading a file an agent may have written (its usage file, its CLI's own logs in its HOME) the way
// DESIGN §1 asks: opened without following a link at its name, only as a regular file (never a FIFO
// that would block), only when the descriptor really points inside the directory devflow gave the agent
// (a link in a directory above it is caught on the open descriptor), and never past a cap.
import { constants, type Dirent } from "node:fs";
import { open, readdir, readlink, realpath } from "node:fs/promises";
import { join, relative } from "node:path";

const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;

/** The first `maxBytes` + 1 bytes of `path` (so a caller sees it was longer), or empty when refused. */
export async function readAgentFile(path: string, root: string, maxBytes: number): Promise<Buffer> {
  const file = await open(path, READ_FLAGS).catch(() => undefined);
  if (file === undefined) return Buffer.alloc(0);
  try {
    if (!(await file.stat()).isFile()) return Buffer.alloc(0);
    const opened = await readlink(`/proc/self/fd/${file.fd}`).catch(() => undefined);
    const realRoot = await realpath(root).catch(() => undefined);
    if (opened !== undefined && (realRoot === undefined || relative(realRoot, opened).startsWith("..")))
      return Buffer.alloc(0);
    const buffer = Buffer.alloc(maxBytes + 1);
    const { bytesRead } = await file.read(buffer, 0, buffer.length, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

/** The names of the entries of `dir` of `kind` (links excluded), at most `max`; none if it is missing. */
export async function agentEntries(dir: string, kind: "file" | "directory", max: number): Promise<string[]> {
  const entries: Dirent[] = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => (kind === "file" ? entry.isFile() : entry.isDirectory()))
    .map((entry) => join(dir, entry.name))
    .slice(0, max);
}
