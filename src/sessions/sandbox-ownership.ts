// When devflow runs as root, the agent runs as the sandbox uid: the files it must write (worktree,
// artifact directory, HOME) are handed to that uid before it starts. devflow, as root, still reads and
// commits them. The top of the worktree and its `.git` stay devflow's (git refuses a repository whose
// top directory another user owns); the agent writes there through the sandbox gid.
//
// The hand-over itself runs as root over trees an earlier agent could write: a symlink planted there
// must not make root chown a file elsewhere. So it runs in a sandbox of its own that shows nothing but
// those trees (and the system, read-only): whatever a planted link names does not exist in there.
import { execFile } from "node:child_process";
import { runsAsRoot, type SandboxSettings } from "../config/index.js";
import { DevflowError } from "../errors/index.js";
import { BWRAP } from "./sandbox.js";
import { type Mount, mountArgs, systemMounts } from "./sandbox-mounts.js";

const HAND_OVER = [
  'owner="$1:$2"; group="$2"; worktree="$3"; shift 3',
  // Everything in the worktree but its .git; -P: never follow a symlink, -h: change the link itself.
  'find "$worktree" -mindepth 1 -maxdepth 1 ! -name .git -exec chown -R -h -P "$owner" -- {} +',
  'chgrp -h "$group" -- "$worktree"',
  'chmod 0775 -- "$worktree"',
  'for dir in "$@"; do chown -R -h -P "$owner" -- "$dir"; done',
].join(" && ");

export interface HandOverPaths {
  readonly worktree: string;
  /** The artifact directory and the session's HOME. */
  readonly writable: readonly string[];
}

/** Hands the agent's writable paths to the sandbox uid; does nothing unless devflow runs as root. */
export async function handOverToSandbox(settings: SandboxSettings, paths: HandOverPaths): Promise<void> {
  if (settings.kind !== "bubblewrap" || !runsAsRoot()) return;
  const mounts: Mount[] = [
    ...systemMounts(),
    { kind: "rw", path: paths.worktree },
    ...paths.writable.map((path): Mount => ({ kind: "rw", path })),
  ];
  const argv = [
    "--unshare-ipc",
    "--unshare-pid",
    "--unshare-net",
    "--unshare-uts",
    "--die-with-parent",
    "--new-session",
    ...mountArgs(mounts),
    "--",
    "/bin/sh",
    "-c",
    HAND_OVER,
    "devflow-hand-over",
    String(settings.uid),
    String(settings.gid),
    paths.worktree,
    ...paths.writable,
  ];
  await new Promise<void>((resolve, reject) => {
    execFile(
      BWRAP,
      argv,
      { env: { PATH: "/usr/bin:/bin", LANG: "C.UTF-8" }, timeout: 120_000, maxBuffer: 1024 * 1024 },
      (error, _stdout, stderr) => {
        if (error === null) {
          resolve();
          return;
        }
        const missing = (error as NodeJS.ErrnoException).code === "ENOENT";
        reject(
          missing
            ? sandboxUnavailable(error)
            : new DevflowError(
                `Could not hand the agent's files to the sandbox uid ${settings.uid}: ${stderr.trim() || error.message}`,
                { code: "sandbox_setup_failed", cause: error, details: { ...paths } },
              ),
        );
      },
    );
  });
}

export function sandboxUnavailable(cause?: unknown): DevflowError {
  return new DevflowError(
    "bubblewrap (`bwrap`) is not installed on this worker host, and agents run in its sandbox by default.",
    { code: "sandbox_unavailable", ...(cause === undefined ? {} : { cause }) },
  );
}
