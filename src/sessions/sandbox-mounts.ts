// What a sandboxed agent sees of the host's file system: an allowlist of mounts, turned into bubblewrap
// arguments in an order that makes each mount land where it should. Everything not listed here — the data
// directory, other runs' worktrees and sessions, transcripts, devflow's config — does not exist inside.
import { existsSync, lstatSync, readFileSync, readlinkSync } from "node:fs";
import { dirname, isAbsolute, join, normalize, relative, resolve, sep } from "node:path";

export type Mount =
  /** `source`: the host path shown at `path` when it is not the same (default: `path`). */
  | { readonly kind: "ro" | "rw"; readonly path: string; readonly source?: string }
  /** `mode` (octal) for a tmpfs: bubblewrap's default is 0755, owned by root. */
  | { readonly kind: "tmpfs" | "proc" | "dev"; readonly path: string; readonly mode?: string }
  | { readonly kind: "symlink"; readonly path: string; readonly target: string };

/** The system, read-only. On merged-/usr systems /bin, /lib… are symlinks into /usr and stay symlinks. */
const SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];

/** The little of /etc that programs need: names, DNS files (no network yet), certificates, the linker. */
const ETC_ENTRIES = [
  "passwd",
  "group",
  "nsswitch.conf",
  "hosts",
  "resolv.conf",
  "host.conf",
  "gai.conf",
  "services",
  "protocols",
  "localtime",
  "timezone",
  "ld.so.cache",
  "ld.so.conf",
  "ld.so.conf.d",
  "alternatives",
  "ssl",
  "ca-certificates",
  "ca-certificates.conf",
  "mime.types",
  "terminfo",
  "inputrc",
  "os-release",
];

/** Whether `path` is `root` or inside it. */
export function isWithin(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

export function systemMounts(): Mount[] {
  const mounts: Mount[] = [];
  for (const path of SYSTEM_DIRS) {
    const stat = lstatOrUndefined(path);
    if (stat?.isSymbolicLink()) mounts.push({ kind: "symlink", path, target: readlinkSync(path) });
    else if (stat?.isDirectory()) mounts.push({ kind: "ro", path });
  }
  for (const entry of ETC_ENTRIES) {
    const path = join("/etc", entry);
    if (existsSync(path)) mounts.push({ kind: "ro", path });
  }
  mounts.push(
    { kind: "proc", path: "/proc" }, // of the sandbox's own PID namespace
    { kind: "dev", path: "/dev" }, // null, zero, random, tty, pts: no host device
    // Sticky and writable by all, as on the host: the agent's uid is not the tmpfs's owner (root).
    { kind: "tmpfs", path: "/tmp", mode: "1777" },
    { kind: "tmpfs", path: "/var/tmp", mode: "1777" },
  );
  return mounts;
}

/**
 * The repository behind a worktree, read-only, so that `git status` and `git log` work inside while
 * nothing can be written: the worktree's `.git` file, the mirror it points to (its other worktrees'
 * records hidden under a tmpfs) and this worktree's own git directory. A `.git` directory (a plain
 * clone) is bound read-only as it is. Read once, when the session starts: later the agent cannot
 * change these files (they are read-only inside), and a `.git` it creates afterwards is not trusted.
 */
export function gitMounts(worktree: string, mirrorsDir?: string): Mount[] {
  const dotGit = join(worktree, ".git");
  const stat = lstatOrUndefined(dotGit);
  if (stat === undefined || stat.isSymbolicLink()) return [];
  if (stat.isDirectory()) return [{ kind: "ro", path: dotGit }];
  const pointer = /^gitdir: (.+)$/m.exec(readFileSync(dotGit, "utf8"))?.[1]?.trim();
  if (pointer === undefined) return [{ kind: "ro", path: dotGit }];
  const gitDir = resolve(worktree, pointer);
  const commonFile = join(gitDir, "commondir");
  const commonDir = existsSync(commonFile)
    ? resolve(gitDir, readFileSync(commonFile, "utf8").trim())
    : gitDir;
  const worktrees = join(commonDir, "worktrees");
  const trusted =
    isWithin(gitDir, worktrees) &&
    !isWithin(commonDir, worktree) &&
    (mirrorsDir === undefined || isWithin(commonDir, mirrorsDir));
  if (!trusted) return [{ kind: "ro", path: dotGit }];
  return [
    { kind: "ro", path: commonDir },
    { kind: "tmpfs", path: worktrees },
    { kind: "ro", path: gitDir },
    { kind: "ro", path: dotGit },
  ];
}

function depth(path: string): number {
  return path === "/" ? 0 : path.split("/").length - 1;
}

/**
 * bubblewrap arguments for `mounts`: parents before children (a read-only bind of a directory placed
 * after a writable bind inside it would hide that bind), and every directory bubblewrap must create on
 * its own tmpfs made 0755 explicitly (it would otherwise take devflow's umask, and an agent with
 * another uid could not pass through it).
 */
export function mountArgs(mounts: readonly Mount[]): string[] {
  const ordered = mounts
    .map((mount, index) => ({ mount: { ...mount, path: normalize(mount.path) }, index }))
    .sort((a, b) => depth(a.mount.path) - depth(b.mount.path) || a.index - b.index)
    .map(({ mount }) => mount);
  const args: string[] = [];
  const placed: Mount[] = [];
  const created = new Set<string>();
  for (const mount of ordered) {
    for (const parent of ancestors(mount.path)) {
      if (created.has(parent)) continue;
      // Only where bubblewrap creates the directory itself: on the sandbox's root or on a tmpfs.
      const holder = placed.filter((p) => isWithin(parent, p.path)).at(-1);
      if (holder !== undefined && holder.kind !== "tmpfs") continue;
      if (holder?.path === parent) continue;
      created.add(parent);
      args.push("--perms", "0755", "--dir", parent);
    }
    switch (mount.kind) {
      case "ro":
        args.push("--ro-bind", mount.source ?? mount.path, mount.path);
        break;
      case "rw":
        args.push("--bind", mount.source ?? mount.path, mount.path);
        break;
      case "symlink":
        args.push("--symlink", mount.target, mount.path);
        break;
      default:
        if (mount.kind === "tmpfs" && mount.mode !== undefined) args.push("--perms", mount.mode);
        args.push(`--${mount.kind}`, mount.path);
    }
    placed.push(mount);
  }
  return args;
}

/** `/a/b/c` → [`/a`, `/a/b`]. */
function ancestors(path: string): string[] {
  const found: string[] = [];
  for (let parent = dirname(path); parent !== "/" && parent !== "."; parent = dirname(parent)) {
    found.unshift(parent);
  }
  return found;
}

function lstatOrUndefined(path: string) {
  try {
    return lstatSync(path);
  } catch {
    return undefined;
  }
}
