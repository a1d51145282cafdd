// The mirror's config file is shared by every worktree of the mirror, and `git config …` run by an agent in
// its worktree writes it. devflow cannot keep it where no process of its own uid could write (git always
// reads `$GIT_COMMON_DIR/config`, and with `sandbox: none` the agent is that uid), so it checks it instead,
// before every command it runs on the repository: every key must be one devflow itself writes, with a
// value devflow would write. A key outside the list — url.*.insteadOf, filter.*, include.path,
// core.fsmonitor, core.sshCommand, http.proxy … — stops devflow's git, and a person is asked to look.
// Forced settings (git-environment.ts) already beat single-valued keys; this catches the rest.
import { lstat } from "node:fs/promises";
import { join } from "node:path";
import { DevflowError } from "../errors/index.js";
import { runGitProcess } from "./run-git-process.js";

/** The mirror's fetch refspec: remote branches under refs/remotes/origin/*, run branches untouched. */
export const FETCH_REFSPEC = "+refs/heads/*:refs/remotes/origin/*";

const BOOLEAN = /^(true|false)$/;

/** Every key devflow (or `git init --bare`, which it runs) writes to a mirror's config, and its values. */
const ALLOWED: ReadonlyMap<string, (value: string | undefined) => boolean> = new Map([
  ["core.repositoryformatversion", (value) => value === "0" || value === "1"],
  ["core.filemode", (value) => BOOLEAN.test(value ?? "")],
  ["core.bare", (value) => value === "true"],
  ["core.ignorecase", (value) => BOOLEAN.test(value ?? "")],
  ["core.precomposeunicode", (value) => BOOLEAN.test(value ?? "")],
  ["core.symlinks", (value) => BOOLEAN.test(value ?? "")],
  ["core.logallrefupdates", (value) => BOOLEAN.test(value ?? "")],
  ["extensions.objectformat", (value) => value === "sha1" || value === "sha256"],
  ["extensions.refstorage", (value) => value === "files" || value === "reftable"],
  // Kept for people who look at the mirror; devflow's own fetches and pushes name the URL explicitly.
  ["remote.origin.url", (value) => value !== undefined && !value.startsWith("-")],
  ["remote.origin.fetch", (value) => value === FETCH_REFSPEC],
]);

export interface TrustedConfigTarget {
  /** The mirror: its `config` is checked. */
  commonDir: string;
  /** A worktree's admin directory: it must hold no `config.worktree`. */
  gitDir?: string;
}

/**
 * Config files found trusted, by path, with what lstat said of them then. A run's git commands come by
 * the dozen: asking git to list the file before each doubled the processes devflow starts. Any write
 * to the file moves its ctime, which no process can set back, so an unchanged lstat means unchanged
 * content — for a file that had settled: a write in the same clock tick as the check could keep the
 * ctime it saw, so a file changed less than SETTLED_MS before its check is checked again next time.
 */
const trusted = new Map<string, string>();
const SETTLED_MS = 2_000;

async function identity(path: string): Promise<{ key: string; ctimeMs: number } | undefined> {
  const stats = await lstat(path, { bigint: true }).catch(() => undefined);
  // A link is followed by git, and its target could change unseen: never remembered.
  if (!stats?.isFile()) return undefined;
  const { dev, ino, mode, uid, nlink, size, mtimeNs, ctimeNs } = stats;
  const key = [dev, ino, mode, uid, nlink, size, mtimeNs, ctimeNs].join(":");
  return { key, ctimeMs: Number(ctimeNs / 1_000_000n) };
}

/** Throws `git_config_tampered` unless the repository's config holds only what devflow writes. */
export async function assertTrustedConfig({ commonDir, gitDir }: TrustedConfigTarget): Promise<void> {
  const configPath = join(commonDir, "config");
  const before = await identity(configPath);
  if (before === undefined || trusted.get(configPath) !== before.key) {
    trusted.delete(configPath);
    await checkConfig(commonDir, configPath);
    const after = await identity(configPath);
    const settled = after !== undefined && after.ctimeMs < Date.now() - SETTLED_MS;
    if (settled && after.key === before?.key) trusted.set(configPath, after.key);
  }
  if (gitDir !== undefined && gitDir !== commonDir) {
    const worktreeConfig = join(gitDir, "config.worktree");
    if ((await lstat(worktreeConfig).catch(() => undefined)) !== undefined) {
      throw tampered(
        `The worktree record ${gitDir} has a config.worktree file, which devflow never writes: someone else (most likely the run's agent) added it.`,
        worktreeConfig,
        { problem: "config.worktree" },
      );
    }
  }
}

async function checkConfig(commonDir: string, configPath: string): Promise<void> {
  const listed = await runGitProcess(["config", "--file", configPath, "--list", "--null"], {
    cwd: "/",
  });
  if (listed.code !== 0) {
    throw tampered(`devflow cannot read the git config of the mirror ${commonDir}.`, configPath, {
      problem: "unreadable",
    });
  }
  // --null: "<key>\n<value>\0", or "<key>\0" for a key written without `= value`.
  for (const entry of listed.stdout.split("\0")) {
    if (entry === "") continue;
    const newline = entry.indexOf("\n");
    const key = newline === -1 ? entry : entry.slice(0, newline);
    const value = newline === -1 ? undefined : entry.slice(newline + 1);
    const allowed = ALLOWED.get(key);
    if (allowed === undefined) {
      throw tampered(
        `The git config of the mirror ${commonDir} has the key ${describeKey(key)}, which devflow never writes: someone else (most likely the run's agent) added it.`,
        configPath,
        { key: describeKey(key) },
      );
    }
    if (!allowed(value)) {
      // The value is not shown: it might be something the writer did not mean to publish.
      throw tampered(
        `The git config of the mirror ${commonDir} has a value for ${describeKey(key)} that devflow never writes: someone else (most likely the run's agent) changed it.`,
        configPath,
        { key: describeKey(key) },
      );
    }
  }
}

export function tampered(message: string, path: string, details: Record<string, unknown>): DevflowError {
  return new DevflowError(message, {
    code: "git_config_tampered",
    recoveryHint: `devflow refused to run git on it. Look at what the run's agent did, then remove what was added (e.g. \`git config --file ${path} --unset-all <key>\`) or delete the mirror directory so devflow clones it again, and retry.`,
    details: { path, ...details },
  });
}

/**
 * A config key as it may be shown to people (in the run's failure reason, its report, GitHub): printable
 * ASCII only, no backticks, credentials in a URL-like subsection cut out, at most 120 characters.
 */
export function describeKey(key: string): string {
  const clean = key
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/)[^/@\s]*@/gi, "$1***@")
    .replace(/[^\x20-\x7e]|`/g, "?");
  return `\`${clean.length > 120 ? `${clean.slice(0, 117)}...` : clean}\``;
}
