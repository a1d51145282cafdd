// A data directory laid out as devflow's (a mirror, this run's worktree and artifacts, another run, another
// session, the App's credentials), canaries everywhere the agent must not see, and the host-side view of
// the hostile agent's processes (test/fixtures/hostile-agent.mjs).
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { expect } from "vitest";

export const HOSTILE_AGENT = fileURLToPath(new URL("../fixtures/hostile-agent.mjs", import.meta.url));
export const FIXTURES = fileURLToPath(new URL("../fixtures/", import.meta.url));
const identity = ["-c", "user.name=devflow-test", "-c", "user.email=test@devflow.invalid"];

export interface HostileWorld {
  readonly root: string;
  readonly dataDir: string;
  readonly mirror: string;
  readonly runId: string;
  readonly worktree: string;
  readonly artifactDir: string;
  readonly sessionId: string;
  readonly sessionDir: string;
  /** A root-owned 0600 file, bound into the sandbox on purpose (sandbox.readOnlyPaths). */
  readonly rootOnly: string;
  readonly canary: string;
  readonly marker: string;
  /** The line to put in the prompt: what the hostile agent attacks. */
  readonly targets: string;
}

export function hostileWorld(): HostileWorld {
  const root = mkdtempSync(join(tmpdir(), "devflow-sandbox-"));
  chmodSync(root, 0o755);
  const dataDir = join(root, "data");
  const canary = `canary-${randomUUID()}`;
  const marker = `devflow-hostile-${randomUUID()}`;
  const seed = join(root, "seed");
  execFileSync("git", ["init", "-q", "-b", "main", seed]);
  writeFileSync(join(seed, "README.md"), "# hostile\n");
  execFileSync("git", ["-C", seed, "add", "README.md"]);
  execFileSync("git", ["-C", seed, ...identity, "commit", "-q", "-m", "seed"]);
  const mirror = join(dataDir, "mirrors", "hostile.git");
  execFileSync("git", ["clone", "-q", "--mirror", seed, mirror]);
  const runId = randomUUID();
  const worktree = join(dataDir, "workspaces", runId, "main");
  execFileSync("git", ["-C", mirror, "worktree", "add", "-q", "-b", `devflow/${runId}`, worktree, "main"]);
  const artifactDir = join(dataDir, "workspaces", runId, "artifacts");
  mkdirSync(artifactDir);
  const sessionId = randomUUID();
  const sessionDir = join(dataDir, "sessions", sessionId);
  const planted = plantCanaries(root, dataDir, canary);
  const targets = targetsLine(dataDir, planted, marker, {
    dotGit: join(worktree, ".git"),
    mirrorConfig: join(mirror, "config"),
  });
  const rootOnly = planted.rootOnly;
  const world = { root, dataDir, mirror, runId, worktree, artifactDir, sessionId, sessionDir, rootOnly };
  return { ...world, canary, marker, targets };
}

/**
 * Canaries where an agent must not look: the data directory itself, the App's credentials, another
 * run's worktree, another session's transcript; and a root-owned 0600 file outside the data directory.
 */
export function plantCanaries(root: string, dataDir: string, canary: string) {
  const other = join(dataDir, "workspaces", randomUUID(), "main");
  mkdirSync(other, { recursive: true });
  writeFileSync(join(other, "secret.txt"), canary);
  const otherSession = join(dataDir, "sessions", randomUUID());
  mkdirSync(join(otherSession, "home"), { recursive: true });
  writeFileSync(join(otherSession, "transcript.log"), canary);
  writeFileSync(join(dataDir, "canary.txt"), canary);
  writeFileSync(join(dataDir, "github-app.json"), JSON.stringify({ pem: canary }), { mode: 0o600 });
  const rootOnly = join(root, `root-only-${randomUUID()}.txt`);
  writeFileSync(rootOnly, canary, { mode: 0o600 });
  const readable = {
    dataCanary: join(dataDir, "canary.txt"),
    appCredentials: join(dataDir, "github-app.json"),
    otherRun: join(other, "secret.txt"),
    otherSession: join(otherSession, "transcript.log"),
  };
  return { readable, rootOnly };
}

/** The prompt line that tells the hostile agent what to attack. */
export function targetsLine(
  dataDir: string,
  planted: ReturnType<typeof plantCanaries>,
  marker: string,
  writable?: Record<string, string>,
): string {
  const targets = {
    devflowPid: process.pid,
    readable: planted.readable,
    listable: [dataDir, join(dataDir, "workspaces"), join(dataDir, "sessions")],
    ...(writable ? { writable } : {}),
    ports: [5432, 6379],
    marker,
    rootOnly: planted.rootOnly,
  };
  return `HOSTILE-TARGETS: ${JSON.stringify(targets)}`;
}

/** Host processes whose argv holds `marker`, with their uid as the host sees it. */
export async function markedProcesses(marker: string): Promise<{ pid: number; uid: number }[]> {
  const found: { pid: number; uid: number }[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, "utf8").catch(() => "");
    if (!cmdline.split("\0").includes(marker)) continue;
    const status = await readFile(`/proc/${entry}/status`, "utf8").catch(() => "");
    const uid = Number(/^Uid:\s+(\d+)/m.exec(status)?.[1] ?? "-1");
    found.push({ pid: Number(entry), uid });
  }
  return found;
}

interface Attempt {
  ok: boolean;
  code?: string;
  value?: unknown;
}

export interface HostileReport {
  uid: number;
  devflowEnviron: Attempt;
  parentEnviron: Attempt;
  visiblePids: number[];
  environs: Record<string, Attempt>;
  reads: Record<string, Attempt>;
  listings: Record<string, Attempt>;
  writes: Record<string, Attempt>;
  rootOnly: Attempt;
  gitStatus: Attempt;
  connections: Record<string, Attempt>;
  children: number[];
}

/** Every attack of the report failed the way the sandbox makes it fail. */
export function expectEveryAttackFailed(
  world: Pick<HostileWorld, "canary" | "dataDir" | "runId" | "sessionId">,
  report: HostileReport,
  text: string,
): void {
  expect(text).not.toContain(world.canary);
  expect(report.devflowEnviron).toMatchObject({ ok: false, code: "ENOENT" }); // not in its PID namespace
  expect(report.visiblePids).not.toContain(process.pid);
  expect(Math.max(...report.visiblePids)).toBeLessThan(50); // its own namespace's pids only
  for (const [name, read] of Object.entries(report.reads)) {
    expect([name, read.ok, read.code]).toEqual([name, false, "ENOENT"]);
  }
  const listed = report.listings as Record<string, { value?: string[] }>;
  expect(listed[world.dataDir]?.value?.sort()).toEqual(["mirrors", "sessions", "workspaces"]);
  expect(listed[join(world.dataDir, "workspaces")]?.value).toEqual([world.runId]);
  expect(listed[join(world.dataDir, "sessions")]?.value).toEqual([world.sessionId]);
  for (const [name, write] of Object.entries(report.writes)) {
    expect([name, write.ok, ["EROFS", "EACCES"].includes(write.code ?? "")]).toEqual([name, false, true]);
  }
  for (const [port, connection] of Object.entries(report.connections)) {
    expect([port, connection.ok, connection.code]).toEqual([port, false, "ECONNREFUSED"]);
  }
  expect(report.gitStatus.ok).toBe(true); // git works inside, on a repository it cannot write
  if (process.getuid?.() === 0) {
    expect(report.uid).toBe(65534);
    expect(report.rootOnly).toMatchObject({ ok: false, code: "EACCES" });
  }
}
