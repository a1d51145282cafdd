// Whether this host can run the sandbox: bubblewrap on PATH, and a trivial sandbox built exactly as an
// agent's would be (namespaces, mounts, uid drop, limits) actually starting. Used by `devflow doctor`
// and at start-up.
import { execFile } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { isAbsolute, join } from "node:path";
import type { SandboxSettings } from "../config/index.js";
import { BWRAP, sandboxedCommand } from "./sandbox.js";

export function bwrapOnPath(path: string | undefined): string | undefined {
  for (const dir of (path ?? "").split(":")) {
    if (!isAbsolute(dir)) continue;
    try {
      accessSync(join(dir, BWRAP), constants.X_OK);
      return join(dir, BWRAP);
    } catch {
      // not here
    }
  }
  return undefined;
}

export interface SandboxTrial {
  readonly ok: boolean;
  /** bubblewrap's version line, when it runs at all. */
  readonly version?: string;
  /** The uid the trial's command ran as (on success), or what went wrong. */
  readonly uid?: number;
  readonly error?: string;
}

/** Starts `id -u` in a sandbox with `settings` (kind bubblewrap) around an empty worktree. */
export async function trySandbox(settings: SandboxSettings, path: string | undefined): Promise<SandboxTrial> {
  const env = { PATH: path ?? "/usr/bin:/bin", LANG: "C.UTF-8" };
  const version = await run([BWRAP, "--version"], env);
  if (!version.ok) return { ok: false, error: version.output || "bwrap does not run" };
  const worktree = await mkdtemp(join(tmpdir(), "devflow-sandbox-check-"));
  try {
    const paths = { worktree, writable: [], readOnly: [], git: [] };
    const argv = sandboxedCommand(settings, paths, ["/bin/sh", "-c", "id -u"], { terminal: false });
    const trial = await run(argv, env);
    const uid = Number(trial.output.trim());
    if (!trial.ok || !Number.isInteger(uid)) {
      return { ok: false, version: version.output.trim(), error: trial.output.trim() || "no output" };
    }
    return { ok: true, version: version.output.trim(), uid };
  } finally {
    await rm(worktree, { recursive: true, force: true });
  }
}

function run(argv: readonly string[], env: Record<string, string>): Promise<{ ok: boolean; output: string }> {
  const [program = "", ...args] = argv;
  return new Promise((resolve) => {
    execFile(program, args, { env, timeout: 10_000, encoding: "utf8" }, (error, stdout, stderr) => {
      resolve({ ok: error === null, output: error === null ? stdout : `${stderr || error.message}`.trim() });
    });
  });
}
