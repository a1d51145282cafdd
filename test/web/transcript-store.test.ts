// Issue 15 step 1: what an agent prints is in Postgres as it is produced (in order, cut to the configured
// chunk size, continued after a restart), the final report's text is stored with the run, and
// retention deletes both only for runs finished long enough ago.
import { readFileSync } from "node:fs";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSessionAdapter } from "../../src/sessions/create-session-adapter.js";
import { ExecSessionAdapter } from "../../src/sessions/exec-adapter.js";
import {
  createTranscriptWriter,
  cutToBytes,
  pruneTranscripts,
} from "../../src/web/transcripts/transcript-writer.js";
import { buildMidFlightRun } from "../builders/runs.js";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";

const AGENT = fileURLToPath(new URL("../fixtures/exec-agent.mjs", import.meta.url));
let harness: EngineHarness;

beforeAll(async () => {
  harness = await createEngineHarness();
});
afterAll(async () => {
  await harness.cleanup();
});

describe("transcripts and reports in Postgres", () => {
  it("stores an exec agent's output in order while it runs, and the report's text when the run ends", async () => {
    const writer = createTranscriptWriter({ prisma: harness.db.prisma, chunkBytes: 64 * 1024 });
    const worker = await harness.worker({
      queue: { backend: "postgres", connectionString: harness.db.url },
      adapter: new ExecSessionAdapter({
        command: [process.execPath, AGENT],
        promptVia: "stdin",
        passThrough: [],
        onOutput: writer.onOutput,
        sandbox: { readOnlyPaths: [dirname(AGENT)] }, // the default sandbox, the fixture shown read-only
        maxChunkLines: 40,
      }),
    });
    const { runId } = await worker.engine.startRun({
      repository: harness.gitRemote(),
      baseBranch: "main",
      requirements: "Add a flag",
    });
    await waitForRunState(harness.db, runId, "awaiting_approval", 60_000);
    await writer.flush();
    const chunks = await harness.db.prisma.transcriptChunk.findMany({
      where: { runId },
      orderBy: { id: "asc" },
    });
    expect(chunks.length).toBeGreaterThan(1);
    expect(chunks.map((chunk) => chunk.seq)).toEqual(chunks.map((_chunk, index) => index));
    const text = chunks.map((chunk) => chunk.text).join("");
    const numbered = [...text.matchAll(/working: line (\d+) of 250/g)].map((match) => Number(match[1]));
    expect(numbered).toEqual(Array.from({ length: 250 }, (_value, index) => index + 1));
    expect(text).toContain("wrote the artifact");

    await worker.engine.abort(runId, "maintainer");
    await expect
      .poll(async () => (await harness.db.prisma.runReport.findUnique({ where: { runId } }))?.text, {
        timeout: 30_000,
      })
      .toContain(runId);
    const run = await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } });
    const stored = await harness.db.prisma.runReport.findUniqueOrThrow({ where: { runId } });
    expect(stored.text).toBe(readFileSync(run.reportPath ?? "", "utf8"));
    await worker.stop(); // the next test's worker takes the queue's runs
  });

  it("stores the fake agent's lines as it works, those of its detached work process included", async () => {
    const writer = createTranscriptWriter({ prisma: harness.db.prisma, chunkBytes: 64 * 1024 });
    const dataDir = harness.tempDir("fake-data");
    // As a server makes it: sessions recorded on disk, the work done by a process of its own.
    const adapter = createSessionAdapter(
      { preset: "fake", writeDelayMs: 20 },
      dataDir,
      undefined,
      undefined,
      undefined,
      writer.onOutput,
    );
    const worker = await harness.worker({
      queue: { backend: "postgres", connectionString: harness.db.url },
      adapter,
      dataDir,
    });
    const { runId } = await worker.engine.startRun({
      repository: harness.gitRemote(),
      baseBranch: "main",
      requirements: "Add a flag",
    });
    await waitForRunState(harness.db, runId, "awaiting_approval", 60_000);
    await writer.flush();
    const chunks = await harness.db.prisma.transcriptChunk.findMany({
      where: { runId },
      orderBy: { id: "asc" },
    });
    expect(chunks.map((chunk) => chunk.seq)).toEqual(chunks.map((_chunk, index) => index));
    const text = chunks.map((chunk) => chunk.text).join("");
    expect(text).toMatch(/\[fake\] session started for fake in /);
    expect(text).toMatch(new RegExp(`\\[fake\\] prompt ${runId}:spec:1:0 \\(ok\\): dev/spec@1\n`));
    expect(text).toMatch(/\[fake\] wrote \S+\/spec-1\.json\n/); // said by the detached process
    await worker.stop();
  });

  it("continues a session's sequence after a restart and cuts a chunk at the configured size", async () => {
    const { runId, sessionId } = await buildMidFlightRun(harness.db, {
      state: "executing",
      repository: "octo/chunks",
      session: { hostId: "h", state: "BUSY" },
    });
    const first = createTranscriptWriter({ prisma: harness.db.prisma, chunkBytes: 1024 });
    first.onOutput(sessionId ?? "", ["one", "two"]);
    first.onOutput(sessionId ?? "", ["x".repeat(5000)]);
    await first.flush();
    const restarted = createTranscriptWriter({ prisma: harness.db.prisma, chunkBytes: 1024 });
    restarted.onOutput(sessionId ?? "", ["after the restart"]);
    await restarted.flush();
    const chunks = await harness.db.prisma.transcriptChunk.findMany({
      where: { runId },
      orderBy: { seq: "asc" },
    });
    expect(chunks.map((chunk) => [chunk.seq, chunk.text.slice(0, 20)])).toEqual([
      [0, "one\ntwo\n"],
      [1, "x".repeat(20)],
      [2, "after the restart\n"],
    ]);
    expect(Buffer.byteLength(chunks[1]?.text ?? "")).toBeLessThanOrEqual(1024);
    expect(chunks[1]?.text).toContain("more bytes of this chunk not stored");
    expect(cutToBytes("é".repeat(600), 1024)).not.toContain("\uFFFD");
  });

  it("retention deletes transcripts of runs finished long ago, and nothing of newer or running ones", async () => {
    const old = await buildMidFlightRun(harness.db, {
      state: "completed",
      repository: "octo/retention",
      session: { hostId: "h", state: "STOPPED" },
    });
    const running = await buildMidFlightRun(harness.db, {
      state: "executing",
      repository: "octo/retention",
      session: { hostId: "h", state: "BUSY" },
    });
    const writer = createTranscriptWriter({ prisma: harness.db.prisma, chunkBytes: 1024 });
    writer.onOutput(old.sessionId ?? "", ["old line"]);
    writer.onOutput(running.sessionId ?? "", ["running line"]);
    await writer.flush();
    await harness.db.prisma.runReport.create({ data: { runId: old.runId, text: "old report" } });
    const in100Days = new Date(Date.now() + 100 * 86_400_000);
    expect(await pruneTranscripts(harness.db.prisma, { transcriptDays: 90, reportDays: 0 })).toEqual({
      chunks: 0,
      reports: 0,
    });
    const pruned = await pruneTranscripts(
      harness.db.prisma,
      { transcriptDays: 90, reportDays: 0 },
      in100Days,
    );
    expect(pruned.reports).toBe(0);
    expect(await harness.db.prisma.transcriptChunk.count({ where: { runId: old.runId } })).toBe(0);
    expect(await harness.db.prisma.transcriptChunk.count({ where: { runId: running.runId } })).toBe(1);
    expect(await harness.db.prisma.runReport.count({ where: { runId: old.runId } })).toBe(1);
  });
});
