// The sandbox through the engine (issue 11 points 3 and 5): a run whose spec agent is hostile, in exec
// mode and in tmux mode. The agent tries devflow's /proc (which holds the worker's secrets), the data
// directory, another run and session, the repository, Postgres and Redis, and leaves setsid children:
// every attempt fails, the phase succeeds on its artifact, and once the run waits at its gate (its
// session stopped) nothing the agent started runs on the host.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ExecSessionAdapter } from "../../src/sessions/exec-adapter.js";
import type { SessionAdapter } from "../../src/sessions/session-adapter.js";
import { TmuxSessionAdapter } from "../../src/sessions/tmux-adapter.js";
import {
  expectEveryAttackFailed,
  FIXTURES,
  HOSTILE_AGENT,
  type HostileReport,
  markedProcesses,
  plantCanaries,
  targetsLine,
} from "../sessions/sandbox-fixture.js";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";

const SECRETS = ["DATABASE_URL", "PRIVATE_KEY", "WEBHOOK_SECRET"] as const;
let harness: EngineHarness;
let socketPath: string;

beforeAll(async () => {
  harness = await createEngineHarness();
  socketPath = join(harness.tempDir("tmux"), "devflow.sock");
});
afterAll(async () => {
  await promisify(execFile)("tmux", ["-S", socketPath, "kill-server"]).catch(() => {});
  await harness.cleanup();
});

type Mode = "exec" | "tmux";

function hostileAgent(mode: Mode, dataDir: string, rootOnly: string): SessionAdapter {
  // The root-only file is bound on purpose: the uid, not the mount, must keep it unreadable.
  const sandbox = { readOnlyPaths: [FIXTURES, rootOnly] };
  const mirrorsDir = join(dataDir, "mirrors");
  if (mode === "exec") {
    const command = [process.execPath, HOSTILE_AGENT];
    return new ExecSessionAdapter({ command, promptVia: "stdin", passThrough: [], sandbox, mirrorsDir });
  }
  return new TmuxSessionAdapter({
    socketPath,
    command: [process.execPath, HOSTILE_AGENT, "--tui"],
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8", TERM: "xterm-256color" },
    readyPattern: /Ready for a prompt/,
    sandbox,
    mirrorsDir,
  });
}

describe.each<Mode>(["exec", "tmux"])("a hostile %s agent through the engine", (mode) => {
  it("fails every attack; the phase succeeds; nothing it started runs once its session is stopped", async () => {
    const dataDir = harness.tempDir("data");
    mkdirSync(join(dataDir, "workspaces"), { recursive: true });
    const canary = `canary-${randomUUID()}`;
    const marker = `devflow-hostile-${randomUUID()}`;
    const planted = plantCanaries(harness.tempDir("outside"), dataDir, canary);
    const worker = await harness.worker({
      queue: { backend: "postgres", connectionString: harness.db.url },
      adapter: hostileAgent(mode, dataDir, planted.rootOnly),
      dataDir,
    });
    const { runId } = await worker.engine.startRun({
      repository: harness.gitRemote(),
      baseBranch: "main",
      requirements: `Add a flag.\n\n${targetsLine(dataDir, planted, marker)}\n`,
    });
    await waitForRunState(harness.db, runId, "awaiting_approval", 60_000);
    const [attempt] = await harness.db.prisma.phaseAttempt.findMany({ where: { runId, phaseKey: "spec" } });
    expect(attempt?.state).toBe("succeeded");
    // The gate stops the run's sessions right after the run moved there.
    const states = async () =>
      (await harness.db.prisma.session.findMany({ where: { runId } })).map((s) => s.state);
    await expect.poll(states, { timeout: 20_000 }).toEqual(["STOPPED"]);
    const [session] = await harness.db.prisma.session.findMany({ where: { runId } });
    const text = readFileSync(join(dataDir, "workspaces", runId, "main", "hostile-report.json"), "utf8");
    const report = JSON.parse(text) as HostileReport;
    expectEveryAttackFailed({ canary, dataDir, runId, sessionId: session?.id ?? "" }, report, text);
    expect(report.children).toHaveLength(2); // it did start its setsid children…
    expect(await markedProcesses(marker)).toEqual([]); // …and none outlived its stopped session
    for (const name of SECRETS) expect(text).not.toContain(`${name}=`);
    await worker.stop();
  });
});
