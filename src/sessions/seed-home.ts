// Puts the operator's `home` files (server config, see src/config/agent-home.ts) into a session's new
// HOME before its agent starts: the `from` directory's regular files and directories, then the inline
// `files`. Files are 0600 and directories 0700 (they may hold credentials); the sandbox hand-over makes
// them the agent's. Errors name paths, never contents.
import { statSync } from "node:fs";
import { chmod, copyFile, lstat, mkdir, readdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { HomeSeed } from "../config/index.js";
import { DevflowError } from "../errors/index.js";

/** Throws `invalid_server_config` when `home.from` is not a directory (checked when the worker starts). */
export function checkHomeSeed(seed: HomeSeed | undefined): void {
  if (seed?.from === undefined) return;
  let directory = false;
  try {
    directory = statSync(seed.from).isDirectory();
  } catch {
    directory = false;
  }
  if (!directory) {
    throw new DevflowError(
      `An agent's home.from in the server config is ${seed.from}, which is not a directory devflow can read.`,
      { code: "invalid_server_config", details: { from: seed.from } },
    );
  }
}

function seedFailed(why: string, cause?: unknown): DevflowError {
  return new DevflowError(`The agent's home files could not be put into its session HOME: ${why}.`, {
    code: "agent_home_seed_failed",
    ...(cause === undefined ? {} : { cause }),
  });
}

async function copyTree(from: string, to: string): Promise<void> {
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = join(from, entry.name);
    const target = join(to, entry.name);
    const stat = await lstat(source);
    if (stat.isDirectory()) {
      await mkdir(target, { mode: 0o700 });
      await copyTree(source, target);
    } else if (stat.isFile()) {
      await copyFile(source, target);
      await chmod(target, 0o600);
    } else {
      throw seedFailed(`${source} is not a regular file or directory (links are not copied)`);
    }
  }
}

/** Seeds `home` (a directory devflow has just created) with `seed`; does nothing without one. */
export async function seedHome(home: string, seed: HomeSeed | undefined): Promise<void> {
  if (seed === undefined) return;
  try {
    if (seed.from !== undefined) await copyTree(seed.from, home);
    for (const [path, content] of Object.entries(seed.files ?? {})) {
      const target = join(home, path);
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      await writeFile(target, content, { mode: 0o600 });
    }
  } catch (error) {
    if (error instanceof DevflowError) throw error;
    throw seedFailed((error as Error).message, error);
  }
}
