// The bubblewrap sandbox every agent session runs in (DESIGN §4), as the argv that replaces the agent's
// own: `bwrap <namespaces, mounts> -- [setpriv <drop to the sandbox uid>] -- prlimit <limits> -- <agent>`.
//
// - Namespaces: mount, PID, network, IPC, UTS, cgroup. The PID namespace is what ends every process an
//   agent starts (`setsid` included) with its session: bubblewrap's init is pid 1 inside; when the agent
//   exits, or bubblewrap is signalled, or devflow dies (--die-with-parent), that init dies and the kernel
//   kills everything else in the namespace. The network namespace holds only its own loopback.
// - As root, devflow runs bubblewrap without a user namespace and drops to the sandbox uid with setpriv
//   inside it: a user namespace made by root maps the agent's uid to root outside (it could read any
//   root-owned file it is shown). The agent is then an ordinary unprivileged process on the host, with no
//   capabilities and no_new_privs. bubblewrap's own init keeps uid 0 so that it can be signalled by its
//   parent (the kernel only delivers --die-with-parent's SIGKILL to processes of the same uid).
// - Not as root: bubblewrap's usual unprivileged user namespace; the agent keeps devflow's uid.
import { accessSync, constants } from "node:fs";
import { isAbsolute, join } from "node:path";
import { runsAsRoot, type SandboxSettings } from "../config/index.js";
import { DevflowError } from "../errors/index.js";
import { gitMounts, isWithin, type Mount, mountArgs, systemMounts } from "./sandbox-mounts.js";

export const BWRAP = "bwrap";
const SETPRIV = "/usr/bin/setpriv";
const PRLIMIT = "/usr/bin/prlimit";
const MIB = 1024 * 1024;

/** The host paths of one agent process's sandbox. Each is bound at the same path inside. */
export interface SandboxPaths {
  /** The run's worktree: writable, and the agent's cwd. */
  readonly worktree: string;
  /** Writable besides the worktree: the artifact directory and the session's HOME. */
  readonly writable: readonly string[];
  /** Readable: the prompt files, the artifact schema, the agent's own program. */
  readonly readOnly: readonly string[];
  /** The worktree's repository, read-only (see gitMounts); computed when the session started. */
  readonly git: readonly Mount[];
  /** The egress proxy's socket and forwarder, for an agent with a network allowlist. */
  readonly network?: readonly Mount[];
}

export interface SandboxCommandOptions {
  /**
   * A TUI in a tmux pane keeps the pane's terminal as its controlling terminal (no --new-session): the
   * pane holds nothing but the sandbox, so there is no other program to push keystrokes into.
   */
  readonly terminal: boolean;
  /** An fd on which bubblewrap writes, as JSON, the host pid of the sandbox's init ("child-pid"). */
  readonly infoFd?: number;
}

/** The sandbox's repository mounts for a worktree; `mirrorsDir`, when known, is where they must live. */
export function sandboxGitMounts(worktree: string, mirrorsDir?: string): Mount[] {
  try {
    return gitMounts(worktree, mirrorsDir);
  } catch {
    return []; // an unreadable .git: the agent works without git rather than with a guessed repository
  }
}

/** The argv that runs `command` inside the sandbox (`settings.kind` must be bubblewrap). */
export function sandboxedCommand(
  settings: SandboxSettings,
  paths: SandboxPaths,
  command: readonly string[],
  options: SandboxCommandOptions,
): string[] {
  if (settings.kind !== "bubblewrap") throw new Error("sandboxedCommand called for an unsandboxed agent");
  const asRoot = runsAsRoot();
  const namespaces = asRoot
    ? ["--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts", "--unshare-cgroup-try"]
    : ["--unshare-all"];
  const mounts: Mount[] = [
    ...systemMounts(),
    ...paths.readOnly.map((path): Mount => ({ kind: "ro", path })),
    { kind: "rw", path: paths.worktree },
    ...paths.writable.map((path): Mount => ({ kind: "rw", path })),
    ...paths.git,
    ...(paths.network ?? []),
  ];
  for (const mount of mounts) {
    if (!isAbsolute(mount.path)) throw new Error(`sandbox mount ${mount.path} is not an absolute path`);
  }
  const { limits } = settings;
  const prlimit = [
    PRLIMIT,
    `--nproc=${limits.maxProcesses}`,
    `--as=${limits.memoryMiB * MIB}`,
    `--fsize=${limits.fileSizeMiB * MIB}`,
    `--nofile=${limits.openFiles}`,
    "--core=0",
    "--",
  ];
  const drop = asRoot
    ? [
        SETPRIV,
        `--reuid=${settings.uid}`,
        `--regid=${settings.gid}`,
        "--clear-groups",
        "--inh-caps=-all",
        "--bounding-set=-all",
        "--no-new-privs",
        "--",
      ]
    : [];
  return [
    BWRAP,
    ...namespaces,
    "--die-with-parent",
    ...(options.terminal ? [] : ["--new-session"]),
    ...(options.infoFd === undefined ? [] : ["--info-fd", String(options.infoFd)]),
    "--hostname",
    "devflow-sandbox",
    ...mountArgs(mounts),
    "--chdir",
    paths.worktree,
    "--",
    ...drop,
    ...prlimit,
    // bubblewrap sets PWD after --chdir; the agent's environment is exactly the one devflow gave it.
    "/usr/bin/env",
    "-u",
    "PWD",
    "--",
    ...command,
  ];
}

/**
 * The agent's program when it lives outside the system directories (an absolute path, or found on
 * PATH somewhere like ~/.local/bin): bound read-only so that it can start. A relative path such as
 * `./agent.sh` is in the worktree already.
 */
export function programMount(program: string, path: string | undefined): string | undefined {
  const candidates = program.includes("/")
    ? isAbsolute(program)
      ? [program]
      : []
    : (path ?? "").split(":").flatMap((dir) => (isAbsolute(dir) ? [join(dir, program)] : []));
  return candidates.find((candidate) => visibleOutsideSystem(candidate));
}

function visibleOutsideSystem(candidate: string): boolean {
  try {
    accessSync(candidate, constants.X_OK);
  } catch {
    return false;
  }
  return !["/usr", "/bin", "/sbin", "/lib", "/lib64"].some((dir) => isWithin(candidate, dir));
}

/** Refuses sandbox settings that would show the agent what it must never see. */
export function checkSandboxSettings(settings: SandboxSettings, hidden: readonly string[]): void {
  if (settings.kind === "none") return;
  if (runsAsRoot() && (settings.uid === 0 || settings.gid === 0)) {
    throw new DevflowError(
      `sandbox.uid/gid is ${settings.uid}/${settings.gid}: the agent would run as root on the host. Give an unprivileged uid and gid (default 65534, nobody).`,
      { code: "invalid_server_config", details: { uid: settings.uid, gid: settings.gid } },
    );
  }
  for (const path of settings.readOnlyPaths) {
    const clash = hidden.find((secret) => isWithin(secret, path) || isWithin(path, secret));
    if (clash !== undefined) {
      throw new DevflowError(
        `sandbox.readOnlyPaths names ${path}, which would show agents ${clash} (devflow's data directory: other runs, transcripts, credentials). Name a directory outside it.`,
        { code: "invalid_server_config", details: { path, hidden: clash } },
      );
    }
  }
}
