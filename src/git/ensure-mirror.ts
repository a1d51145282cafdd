// One bare mirror per repository on this host, cloned once and fetched afterwards (DESIGN §5 "Git:").
// Remote branches live under refs/remotes/origin/* so that run branches (refs/heads/*, checked out in
// worktrees) are never touched by a fetch. The auth header is passed to each command, never stored, and
// every network command names the clone URL itself: no remote.*.url in the mirror's config decides where
// the token goes.
import { randomUUID } from "node:crypto";
import { mkdir, rename, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { DevflowError, isDevflowError } from "../errors/index.js";
import { createGit, type Git } from "./create-git.js";
import { gitError } from "./git-error.js";
import { gitOutput } from "./git-output.js";
import { mirrorRepository } from "./git-repository.js";
import { mirrorDirName } from "./mirror-dir-name.js";
import { FETCH_REFSPEC } from "./trusted-config.js";
import { withMirrorLock } from "./with-mirror-lock.js";

export interface EnsureMirrorOptions {
  /** Directory holding every mirror of this host (`<DEVFLOW_DATA_DIR>/mirrors`). */
  mirrorsDir: string;
  /** `owner/name`, or a local path for `devflow run` on a local repository. */
  repository: string;
  /** Where to fetch from: the payload's `repository.clone_url`, or a local path. */
  cloneUrl: string;
  /** e.g. `AUTHORIZATION: basic <base64 of x-access-token:TOKEN>`. */
  authHeader?: string;
  /**
   * Once the mirror exists, fetch only these branches (a run's base and run branch) instead of every
   * branch: a repository gains a branch per run, and a full fetch grows with them. Default: all.
   */
  branches?: readonly string[];
  /**
   * Other refs of the remote to fetch when the remote has them (a run's checkpoint ref), each into
   * `local`; one the remote no longer has is deleted here too.
   */
  refs?: readonly { remote: string; local: string }[];
  log?: (line: string) => void;
}

export async function ensureMirror(options: EnsureMirrorOptions): Promise<{ path: string }> {
  if (options.cloneUrl.startsWith("-")) {
    // git would read it as an option.
    throw new DevflowError(`The clone URL of ${options.repository} is not a URL or a path.`, {
      code: "repository_not_found",
      class: "bad_input",
      details: { repository: options.repository },
    });
  }
  const mirrorsDir = resolve(options.mirrorsDir);
  const path = join(mirrorsDir, mirrorDirName(options.repository));
  await mkdir(mirrorsDir, { recursive: true });
  // Asking the remote which of the refs exist is a network round trip: done before the lock.
  const present =
    (options.branches || options.refs?.length) && (await isMirror(path))
      ? await remoteRefs(path, options)
      : undefined;
  await withMirrorLock(path, async () => {
    if (await isMirror(path)) await fetchInto(path, options, present);
    else await cloneTo(path, mirrorsDir, options);
  });
  return { path };
}

/**
 * Which of `options.branches` (as `refs/heads/<branch>`) and `options.refs` the remote has (a run
 * branch does not exist before its first push, nor a checkpoint ref before the first checkpoint).
 */
async function remoteRefs(path: string, options: EnsureMirrorOptions): Promise<Set<string>> {
  const git = mirrorGit(path, options.authHeader);
  const refs = [
    ...(options.branches ?? []).map((branch) => `refs/heads/${branch}`),
    ...(options.refs ?? []).map((ref) => ref.remote),
  ];
  let listed: string;
  try {
    listed = await git.raw(["ls-remote", "--quiet", "--", options.cloneUrl, ...refs]);
  } catch (error) {
    if (isDevflowError(error)) throw error; // refused before git ran (git_config_tampered)
    throw fetchFailed(options, error);
  }
  const found = new Set(listed.split("\n").map((line) => line.split("\t")[1]));
  return new Set(refs.filter((ref) => found.has(ref)));
}

async function isMirror(path: string): Promise<boolean> {
  const head = await stat(join(path, "HEAD")).catch(() => undefined);
  if (head?.isFile()) return true;
  if ((await stat(path).catch(() => undefined)) === undefined) return false;
  throw new DevflowError(`The mirror directory ${path} exists but is not a git repository.`, {
    code: "git_failed",
    recoveryHint: "Delete that directory; devflow clones the repository into it again.",
    details: { path },
  });
}

async function cloneTo(path: string, mirrorsDir: string, options: EnsureMirrorOptions): Promise<void> {
  const temporary = join(mirrorsDir, `.clone-${randomUUID()}`);
  await mkdir(temporary);
  try {
    const git = mirrorGit(temporary);
    try {
      await createGit({}).raw(["init", "--quiet", "--bare", "--", temporary]);
      // No hooks from a global init.templateDir: nothing runs in a worktree that devflow did not ask for.
      await rm(join(temporary, "hooks"), { recursive: true, force: true });
      await git.raw(["config", "remote.origin.url", options.cloneUrl]);
      await git.raw(["config", "remote.origin.fetch", FETCH_REFSPEC]);
    } catch (error) {
      throw gitError(`Could not create a mirror for ${options.repository} in ${mirrorsDir}.`, {
        code: "git_failed",
        error,
        details: { repository: options.repository, mirrorsDir },
      });
    }
    options.log?.(`cloning ${options.repository} into ${path}`);
    await fetchInto(temporary, options);
    try {
      await rename(temporary, path);
    } catch (error) {
      // Another process finished first (possible only if a stale lock was broken): use its mirror.
      if (!(await isMirror(path))) throw error;
      options.log?.(`${options.repository} was cloned by another process meanwhile; using that mirror`);
    }
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
}

async function fetchInto(path: string, options: EnsureMirrorOptions, present?: Set<string>): Promise<void> {
  const { repository, cloneUrl, authHeader } = options;
  const git = mirrorGit(path, authHeader);
  // The clone URL can change (a renamed repository, a new GitHub Enterprise host): follow it, for people
  // who look at the mirror (devflow's own commands name the URL).
  const current = (await git.run(["config", "--get", "remote.origin.url"])).stdout.trim();
  if (current !== cloneUrl) await git.raw(["config", "remote.origin.url", cloneUrl]);
  // Only the branches asked for, when the remote has the first (the base): without it, everything, so
  // that the error naming the missing base can list the branches there are.
  const base = options.branches?.[0];
  const some = present !== undefined && base !== undefined && present.has(`refs/heads/${base}`);
  const fetchArgs = some
    ? ["fetch", "--quiet", "--", cloneUrl].concat(
        (options.branches ?? [])
          .filter((branch) => present.has(`refs/heads/${branch}`))
          .map((branch) => `+refs/heads/${branch}:refs/remotes/origin/${branch}`),
      )
    : ["fetch", "--quiet", "--prune", "--", cloneUrl, FETCH_REFSPEC];
  // The other refs: in the same fetch when the remote was asked already, else (a new mirror) asked now.
  const refs = options.refs ?? [];
  const refsPresent = refs.length === 0 ? new Set<string>() : (present ?? (await remoteRefs(path, options)));
  fetchArgs.push(
    ...refs.filter((ref) => refsPresent.has(ref.remote)).map((ref) => `+${ref.remote}:${ref.local}`),
  );
  try {
    await fetchRetryingRefLocks(git, fetchArgs);
  } catch (error) {
    if (isDevflowError(error)) throw error;
    throw fetchFailed(options, error);
  }
  // What --prune does for a full fetch: a ref deleted on the remote is no checkpoint to resume from.
  const gone = [
    ...(some
      ? (options.branches ?? [])
          .filter((branch) => !present.has(`refs/heads/${branch}`))
          .map((branch) => `refs/remotes/origin/${branch}`)
      : []),
    ...refs.filter((ref) => !refsPresent.has(ref.remote)).map((ref) => ref.local),
  ];
  for (const ref of gone) await git.raw(["update-ref", "-d", ref]).catch(() => undefined);
  options.log?.(`fetched ${repository}`);
}

function fetchFailed(options: EnsureMirrorOptions, error: unknown): Error {
  const { repository, authHeader } = options;
  const noAnswer = NO_ANSWER.test(gitOutput(error, authHeader));
  return gitError(
    noAnswer
      ? `The repository ${repository} did not answer.`
      : `The repository ${repository} does not exist or this host may not read it.`,
    {
      code: "repository_not_found",
      class: noAnswer ? "recoverable" : undefined,
      error,
      authHeader,
      details: { repository },
    },
  );
}

/**
 * A push records its commit in the mirror's tracking ref with a compare-and-set update-ref outside the
 * mirror lock (push-checkpoint.ts); a fetch that meets that ref locked fails with "cannot lock ref".
 * That is a moment's contention, not an unreadable repository: fetch again.
 */
async function fetchRetryingRefLocks(git: Git, args: string[]): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await git.raw(args);
      return;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (isDevflowError(error) || attempt >= 5 || !REF_LOCKED.test(message)) throw error;
      await sleep(100 * attempt);
    }
  }
}

function mirrorGit(path: string, authHeader?: string): Git {
  return createGit({ repository: mirrorRepository(path), ...(authHeader ? { authHeader } : {}) });
}

const REF_LOCKED = /cannot lock ref|unable to update local ref|unable to create '.*\.lock'/i;

/** git's words for a host that did not answer (as opposed to one that answered "no such repository"). */
const NO_ANSWER =
  /could not resolve host|failed to connect|couldn't connect|connection (refused|reset|timed out)|timed out|too slow|early eof|remote end hung up|returned error: 5\d\d|HTTP 5\d\d/i;
