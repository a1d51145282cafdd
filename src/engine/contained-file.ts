// Files an agent could have tampered with (artifacts) or planted a link at (reports), opened the way
// DESIGN §1 asks: without following links, as a regular file with one name, inside the directory devflow
// made for it, and no larger than a cap — checked on the open descriptor, before a byte is read.
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { type FileHandle, mkdir, open, readlink, realpath, rename, rm } from "node:fs/promises";
import { basename, dirname, join, relative } from "node:path";

export type RefusalKind = "linked" | "not_regular" | "too_large";

/** Why a file was not read (or written); the message names the path and the rule, never the content. */
export class FileRefusal extends Error {
  constructor(
    readonly kind: RefusalKind,
    message: string,
  ) {
    super(message);
  }
}

export interface ContainedFileOptions {
  /** A directory devflow made itself: no component of the file's path below it may be a link. */
  readonly root: string;
  readonly maxBytes: number;
}

const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK; // a FIFO must not block
const CREATE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * The bytes of the regular file at `path`, or undefined while there is none. Throws FileRefusal for a
 * link (symbolic or hard), a directory through a link, anything but a regular file, or one over the cap.
 */
export async function readContainedFile(
  path: string,
  options: ContainedFileOptions,
): Promise<Buffer | undefined> {
  const expectedDir = await containedDirectory(dirname(path), options.root);
  if (expectedDir === undefined) return undefined;
  let handle: FileHandle;
  try {
    handle = await open(path, READ_FLAGS);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return undefined;
    if (code === "ELOOP") throw new FileRefusal("linked", `${path} is a symbolic link`);
    if (code === "ENXIO" || code === "EOPNOTSUPP")
      throw new FileRefusal("not_regular", `${path} is not a regular file`);
    throw error;
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new FileRefusal("not_regular", `${path} is not a regular file`);
    if (stats.nlink > 1) throw new FileRefusal("linked", `${path} is a hard link (${stats.nlink} names)`);
    if (stats.size > options.maxBytes) throw tooLarge(path, stats.size, options.maxBytes);
    const opened = await openedPath(handle);
    if (opened?.endsWith(" (deleted)")) return undefined; // replaced while being opened: look again
    if (opened !== undefined && opened !== join(expectedDir, basename(path))) {
      throw new FileRefusal("linked", `${path} was reached through a link`);
    }
    // It may still grow: read one byte past the cap, never more.
    const buffer = Buffer.alloc(Math.min(stats.size, options.maxBytes) + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > options.maxBytes) throw tooLarge(path, length, options.maxBytes);
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

/**
 * Writes `text` to `path` through a new file beside it, renamed over `path`: a link planted at `path` is
 * replaced, never followed. The directory is created when missing, and must not be reached through a link.
 */
export async function writeContainedFile(path: string, text: string, root: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  if ((await containedDirectory(dirname(path), root)) === undefined) {
    throw new FileRefusal("linked", `${dirname(path)} is missing`);
  }
  const temporary = `${path}.${randomBytes(6).toString("hex")}.tmp`;
  const handle = await open(temporary, CREATE_FLAGS, 0o600);
  try {
    await handle.writeFile(text);
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temporary, path);
}

/** The real path `dir` must have (its path below the real `root`); undefined while `dir` is missing. */
async function containedDirectory(dir: string, root: string): Promise<string | undefined> {
  const below = relative(root, dir);
  if (below.startsWith("..")) throw new FileRefusal("linked", `${dir} is outside ${root}`);
  const expected = join(await realpath(root), below);
  let actual: string;
  try {
    actual = await realpath(dir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  if (actual !== expected) throw new FileRefusal("linked", `${dir} is reached through a link`);
  return expected;
}

/** Where the descriptor really points (Linux), so that a directory swapped after the check is caught. */
async function openedPath(handle: FileHandle): Promise<string | undefined> {
  return readlink(`/proc/self/fd/${handle.fd}`).catch(() => undefined);
}

function tooLarge(path: string, size: number, max: number): FileRefusal {
  return new FileRefusal("too_large", `${path} holds ${size} bytes, over the limit of ${max}`);
}
