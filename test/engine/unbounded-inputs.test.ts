// A hostile `command` agent against devflow's input caps, through the real engine (DESIGN §1: every
// input has a size cap and is opened without following links): output without a newline, a sparse
// 1.2 GB artifact, artifacts linked to a file of secrets or to /proc/self/environ, a FIFO, a linked
// artifact directory, and a link planted where the final report goes.
import { randomUUID } from "node:crypto";
import { lstatSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { readFinalReport } from "../../src/engine/final-report.js";
import { isDevflowError } from "../../src/errors/index.js";
import { ExecSessionAdapter } from "../../src/sessions/exec-adapter.js";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";

const AGENT = fileURLToPath(new URL("../fixtures/unbounded-input-agent.mjs", import.meta.url));
const CANARY = `canary-${randomUUID()}`;
let harness: EngineHarness;
let canaryFile: string;
// Workers share the test database's queue: each test's worker stops before the next test starts one.
const running: { stop(): Promise<void> }[] = [];

beforeAll(async () => {
  harness = await createEngineHarness();
  canaryFile = join(harness.tempDir("canary"), "secrets.json");
  // JSON that a careless validator would quote: `$.requirements: expected an array, found "canary-…"`.
  writeFileSync(canaryFile, JSON.stringify({ summary: "x", requirements: CANARY, privateKey: CANARY }));
});
afterEach(async () => {
  for (const worker of running.splice(0)) await worker.stop();
});
afterAll(() => harness.cleanup());

/**
 * Unsandboxed on purpose: these attacks (a hard link to a file outside, a swapped artifact directory, a
 * link planted at the report's path) test devflow's own reading and writing, which must hold for an
 * agent with `sandbox: none` too; inside the sandbox most of them fail before devflow sees them.
 */
function hostileAgent() {
  return new ExecSessionAdapter({
    command: [process.execPath, AGENT],
    promptVia: "stdin",
    passThrough: [],
    sandbox: { kind: "none" },
  });
}

/** The largest RSS growth of this process (which runs the worker) while `work` runs. */
async function peakRssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  try {
    const result = await work();
    return { result, growth: peak - before };
  } finally {
    clearInterval(sampler);
  }
}

/** Starts a run on a worker of its own; the worker stops at the end of the test (`stopWorkers`). */
async function startRun(scenarios: string[], dataDir: string) {
  const worker = await harness.worker({
    queue: { backend: "postgres", connectionString: harness.db.url },
    adapter: hostileAgent(),
    dataDir,
  });
  running.push(worker);
  const { runId } = await worker.engine.startRun({
    repository: harness.gitRemote(),
    baseBranch: "main",
    requirements: `Canary file: ${canaryFile}`,
    scenarios: { spec: scenarios },
  });
  return { worker, runId };
}

async function attemptsOf(runId: string) {
  return harness.db.prisma.phaseAttempt.findMany({
    where: { runId, phaseKey: "spec" },
    orderBy: { attempt: "asc" },
  });
}

/** Everything devflow recorded or wrote about a run: rows, prompts sent, transcripts, the report. */
async function everythingRecorded(runId: string, dataDir: string): Promise<string> {
  const { prisma } = harness.db;
  await waitForReport(runId);
  const rows = [
    await prisma.run.findMany({ where: { id: runId } }),
    await prisma.runEvent.findMany({ where: { runId } }),
    await prisma.promptDelivery.findMany({ where: { runId } }),
    await prisma.phaseAttempt.findMany({ where: { runId } }),
    await prisma.session.findMany({ where: { runId } }),
  ];
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile()) files.push(readFileSync(path, "utf8"));
    }
  };
  walk(join(dataDir, "sessions")); // prompts (first and re-prompts), envelopes, transcripts
  files.push(readFileSync(join(dataDir, "workspaces", runId, `${runId}.report.md`), "utf8"));
  const json = JSON.stringify(rows, (_key, value) => (typeof value === "bigint" ? String(value) : value));
  return [json, ...files].join("\n");
}

describe("an agent's output", () => {
  it("60 MB without a newline ends the attempt with a bounded reason and transcript, and devflow's memory stays bounded", async () => {
    const dataDir = harness.tempDir("data");
    const { result: runId, growth } = await peakRssGrowth(async () => {
      const { runId } = await startRun(["newline-less-output", "fifo-artifact", "ok"], dataDir);
      await waitForRunState(harness.db, runId, "awaiting_approval", 90_000);
      return runId;
    });
    expect(growth).toBeLessThan(200 * 1024 * 1024);
    const [printed, fifo, ok] = await attemptsOf(runId);
    expect(printed?.failureCode).toBe("session_crashed");
    expect(printed?.failureReason).toContain("(exit 1)");
    expect(printed?.failureReason?.length).toBeLessThan(1_200);
    // A FIFO at the artifact path is refused, not opened for reading (which would block).
    expect(fifo?.failureCode).toBe("artifact_not_regular_file");
    expect(ok?.state).toBe("succeeded");

    const session = await harness.db.prisma.session.findFirstOrThrow({
      where: { runId },
      orderBy: { createdAt: "asc" },
    });
    const transcript = readFileSync(session.transcriptPath ?? "", "utf8");
    expect(statSync(session.transcriptPath ?? "").size).toBeLessThan(64 * 1024);
    expect(transcript).toContain(`… [devflow: line cut, ${60 * 1024 * 1024 - 16_000} more characters]`);
    const events = await harness.db.prisma.runEvent.findMany({ where: { runId } });
    expect(JSON.stringify(events.map((event) => event.payload)).length).toBeLessThan(32 * 1024);
  });
});

describe("an artifact devflow must not read", () => {
  it("fails its attempt with a reason, unread: a sparse 1.2 GB file, a link to a file of secrets, a link to /proc/self/environ", async () => {
    const dataDir = harness.tempDir("data");
    const { result: runId, growth } = await peakRssGrowth(async () => {
      const { runId } = await startRun(["huge-artifact", "symlink-canary", "symlink-environ"], dataDir);
      await waitForRunState(harness.db, runId, "failed", 90_000);
      return runId;
    });
    expect(growth).toBeLessThan(200 * 1024 * 1024);
    const attempts = await attemptsOf(runId);
    expect(attempts.map((attempt) => attempt.failureCode)).toEqual([
      "artifact_too_large",
      "artifact_linked",
      "artifact_linked",
    ]);
    expect(attempts[0]?.failureReason).toContain(
      `holds ${Math.floor(1.2 * 1024 ** 3)} bytes, over the limit of`,
    );
    // Never read: reading the file would have moved its access time past its last change (relatime).
    const huge = statSync(join(dataDir, "workspaces", runId, "artifacts", "spec-1.json"), { bigint: true });
    expect(huge.atimeNs <= huge.mtimeNs).toBe(true);
    expect(attempts[1]?.failureReason).toContain("is a symbolic link");
    // Refused files are not re-prompted for: one prompt per attempt, no rejection with problems.
    expect(await harness.db.prisma.promptDelivery.count({ where: { runId } })).toBe(3);
    expect(await harness.db.prisma.runEvent.count({ where: { runId, type: "artifact.rejected" } })).toBe(0);

    const recorded = await everythingRecorded(runId, dataDir);
    expect(recorded).not.toContain(CANARY);
    const environ = readFileSync("/proc/self/environ", "utf8").split("\0");
    for (const entry of environ.filter((line) => line.length >= 20)) expect(recorded).not.toContain(entry);
  });

  it("refuses a hard link and a linked artifact directory, and never follows a link planted at the report's path", async () => {
    const dataDir = harness.tempDir("data");
    const { runId } = await startRun(["plant-report-link", "hardlink-canary", "link-artifact-dir"], dataDir);
    await waitForRunState(harness.db, runId, "failed", 90_000);
    const attempts = await attemptsOf(runId);
    expect(attempts.map((attempt) => attempt.failureCode)).toEqual([
      "session_crashed",
      "artifact_linked",
      "artifact_linked",
    ]);
    expect(attempts[1]?.failureReason).toContain("is a hard link");
    expect(attempts[2]?.failureReason).toContain("is reached through a link");

    // The report replaced the planted link instead of writing through it: the canary file is untouched.
    const reportPath = join(dataDir, "workspaces", runId, `${runId}.report.md`);
    await waitForReport(runId);
    expect(lstatSync(reportPath).isFile()).toBe(true);
    expect(readFileSync(reportPath, "utf8")).toMatch(/^# devflow run /);
    expect(JSON.parse(readFileSync(canaryFile, "utf8")).privateKey).toBe(CANARY);
    expect(await everythingRecorded(runId, dataDir)).not.toContain(CANARY);

    // Read back for the check run (deliver-effect) without following a link planted afterwards either.
    rmSync(reportPath);
    symlinkSync(canaryFile, reportPath);
    const refused = await readFinalReport(reportPath).catch((error: unknown) => error);
    expect(isDevflowError(refused, "report_path_unsafe")).toBe(true);
    expect(String(refused)).not.toContain(CANARY);
  });
});

describe("the final report", () => {
  it("is cut at limits.reportBytes, saying so", async () => {
    const worker = await harness.worker({
      queue: { backend: "postgres", connectionString: harness.db.url },
      limits: { artifactBytes: 4 * 1024 * 1024, reportBytes: 16 * 1024 },
    });
    running.push(worker);
    const { runId } = await worker.engine.startRun({
      repository: harness.gitRemote(),
      baseBranch: "main",
      requirements: `A long request. ${"word ".repeat(20_000)}`, // quoted whole in the report
      scenarios: { spec: "crash" },
    });
    const run = await waitForReport(runId);
    const report = readFileSync(run.reportPath ?? "", "utf8");
    expect(Buffer.byteLength(report)).toBeLessThanOrEqual(16 * 1024);
    expect(report).toMatch(/^# devflow run /);
    expect(report.trimEnd()).toMatch(
      /The report was cut at 16384 bytes \(limits\.reportBytes in the server config\)\.$/,
    );
  });
});

async function waitForReport(runId: string) {
  for (let i = 0; i < 400; i++) {
    const run = await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    if (run.reportWrittenAt) return run;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`run ${runId} has no report`);
}
