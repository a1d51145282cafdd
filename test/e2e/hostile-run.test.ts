// Issue 11's attack test: an agent that tries every known path from a phase to devflow's secrets or to
// code devflow runs (test/fixtures/hostile-run-agent.mjs: git config and `.git` rewrites, hooks, /proc,
// the data directory, the database and Redis, a symlinked, an oversized and a newline-less artifact
// attempt, setsid children) runs a whole standard run through the GitHub App, web and worker as
// processes. The run still completes; no planted command ever runs (its marker file never appears);
// no canary appears anywhere; no agent process outlives its phase; the worker's memory stays bounded.
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runThroughSpecGate } from "../support/e2e-run.js";
import { createEngineHarness, type EngineHarness } from "../support/engine-harness.js";
import { type GitHubE2E, startGitHubE2E } from "../support/github-e2e.js";
import { leaksIn, placesOfRun } from "../support/leak-scan.js";

const REPO = "octo/hostile";
const AGENT = fileURLToPath(new URL("../fixtures/hostile-run-agent.mjs", import.meta.url));
const WEBHOOK_SECRET = `canary-webhook-${randomUUID()}`;
const FILE_CANARY = `canary-file-${randomUUID()}`;
const TAG = `hostile-${randomUUID().slice(0, 8)}`;

let harness: EngineHarness;
let e2e: GitHubE2E;
let dataDir: string;
let marker: string;

beforeAll(async () => {
  harness = await createEngineHarness();
  dataDir = harness.tempDir("hostile");
  const outside = harness.tempDir("hostile-outside");
  marker = join(outside, "planted-command-ran");
  const secrets = join(outside, "secrets.json");
  writeFileSync(secrets, JSON.stringify({ summary: FILE_CANARY, requirements: [FILE_CANARY] }));
  const command = [process.execPath, AGENT, "--marker", marker, "--secrets", secrets, "--tag", TAG];
  e2e = await startGitHubE2E({
    databaseUrl: harness.db.url,
    dataDir,
    webhookSecret: WEBHOOK_SECRET,
    agentsYaml: `agents:\n  hostile: { preset: command, command: ${JSON.stringify(command)}, promptVia: stdin }\ndefaultAgent: hostile\nsandbox: { readOnlyPaths: [${JSON.stringify(dirname(AGENT))}] }\n`,
    env: { LOG_LEVEL: "debug" },
  });
  await e2e.sim.state.createRepository("octo", "hostile", {
    defaultBranch: "main",
    files: { "README.md": "# hostile\n" },
  });
  e2e.sim.script.setPermission(REPO, "maintainer", "write");
}, 120_000);
afterAll(async () => {
  await e2e?.stop();
  await harness.cleanup();
});

/** Host processes whose command line carries the agent's tag: its setsid children, if any survived. */
function survivors(): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((entry) => /^\d+$/.test(entry))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
      if (cmdline.includes(`sleep-${TAG}`)) found.push(`${pid}: ${cmdline}`);
    } catch {}
  }
  return found;
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

describe("a hostile agent through the real engine", () => {
  it("gets nothing out: the run completes, nothing planted runs, no secret leaks, nothing survives", async () => {
    const { sim } = e2e;
    const { issue, run } = await runThroughSpecGate(e2e, harness, {
      repo: REPO,
      title: "Escape",
      body: "Try everything.",
      maintainer: "maintainer",
      timeoutMs: 240_000,
    });

    // Each phase's first attempt attacked the artifact and failed with a reason a person can read.
    const attempts = await harness.db.prisma.phaseAttempt.findMany({
      where: { runId: run.id },
      orderBy: [{ startedAt: "asc" }],
    });
    const failed = attempts.filter((a) => a.state === "failed");
    expect(failed.map((a) => a.phaseKey).sort()).toEqual(["implement", "review", "spec"]);
    const reasons = failed.map((a) => a.failureReason ?? "").join("\n");
    expect(reasons).toMatch(/symbolic link|not a regular file/i);
    expect(reasons).toMatch(/over the limit/i);
    for (const reason of failed.map((a) => a.failureReason ?? "")) expect(reason.length).toBeLessThan(5_000);

    // No planted command ran: not fsmonitor, not a hook, not a filter, not through a rewritten .git.
    expect(existsSync(marker)).toBe(false);
    expect(existsSync(`${marker}.env`)).toBe(false);
    // Nothing the agent started outlived its phase.
    expect(survivors()).toEqual([]);
    // The worker read 20 MB without a newline and a 1.2 GB artifact without holding either.
    expect(peakRssMiB(e2e.worker.child.pid ?? 0)).toBeLessThan(600);

    // What the agent itself saw: every read of devflow's secrets and every connection failed.
    const worktree = join(dataDir, "worker", "workspaces", run.id, "main");
    const records = readdirSync(worktree).filter((name) => /^hostile-.*\.json$/.test(name));
    expect(records.length).toBeGreaterThanOrEqual(6); // two attempts of each of three phases
    for (const name of records) {
      const tries = JSON.parse(readFileSync(join(worktree, name), "utf8")) as Record<
        string,
        { ok: boolean; result?: unknown }
      >;
      // Of devflow's data directory it reads only what is its own run's: its artifacts, its session's
      // HOME and prompt, and its repository (read-only). Credentials, the database, other sessions'
      // transcripts and other runs do not exist for it.
      const readable = (tries["files of devflow's data directory"] as { result?: string[] }).result ?? [];
      const notOwn = readable.filter(
        (path) =>
          !path.startsWith(join(dataDir, "worker", "workspaces", run.id)) &&
          !path.startsWith(join(dataDir, "worker", "sessions")) &&
          !path.startsWith(join(dataDir, "worker", "mirrors")),
      );
      expect({ record: name, notOwn }).toEqual({ record: name, notOwn: [] });
      expect(readable.filter((path) => /transcript|github-app|postgres|settings\.json/.test(path))).toEqual(
        [],
      );
      for (const attack of [
        "/proc/$PPID/environ",
        "/proc/*/environ of every process",
        "the secrets file outside the worktree",
        "connect to Postgres on 127.0.0.1:5432",
        "connect to Redis on 127.0.0.1:6379",
      ]) {
        expect({ record: name, attack, ok: tries[attack]?.ok }).toEqual({ record: name, attack, ok: false });
      }
    }

    const tokens = [...sim.state.tokens.keys()];
    expect(tokens.length).toBeGreaterThan(0);
    const canaries: Record<string, string[]> = {
      "App private key": e2e.privateKey.split("\n").filter((line) => line.length === 64),
      "installation token": tokens,
      "webhook secret": [WEBHOOK_SECRET],
      "secrets file": [FILE_CANARY],
      ...(new URL(harness.db.url).password ? { DATABASE_URL: [new URL(harness.db.url).password] } : {}),
    };
    const places = await placesOfRun({ dataDir, databaseUrl: harness.db.url, e2e, repo: REPO, issue });
    expect(places["devflow's data directories (worktrees, transcripts, reports, mirrors)"]).toContain(
      "Every attack is recorded.",
    );
    expect(leaksIn(canaries, places)).toEqual([]);
  }, 420_000);
});
