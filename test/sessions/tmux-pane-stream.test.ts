// A tmux agent's transcript reaches Postgres as it works, like an exec agent's: the pane's lines as
// they scroll into its history (each once, in order) and its screen, read by the SessionManager's
// watch (SessionAdapter.watchOutput) while the pane lives, and its last screen before it is stopped.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildPrompt } from "../../src/engine/build-prompt.js";
import { builtinTemplatesDir } from "../../src/registry/index.js";
import { type PromptEnvelope, promptDedupKey } from "../../src/sessions/prompt-envelope.js";
import { TmuxSessionAdapter } from "../../src/sessions/tmux-adapter.js";
import { createTranscriptWriter } from "../../src/web/transcripts/transcript-writer.js";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";

const TUI_AGENT = fileURLToPath(new URL("../fixtures/tui-agent.mjs", import.meta.url));
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

function tuiAdapter() {
  return new TmuxSessionAdapter({
    socketPath,
    command: [process.execPath, TUI_AGENT],
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      LANG: "C.UTF-8",
      TERM: "xterm-256color",
      TUI_AGENT_WORK_MS: "300",
    },
    readyPattern: /Ready for a prompt/,
    sandbox: { readOnlyPaths: [dirname(TUI_AGENT)] }, // the fixture agent, read-only
  });
}

function specPrompt(runId: string, dir: string, prompt: number): PromptEnvelope {
  const expectedArtifact = join(dir, "artifacts", `spec-${prompt}.json`);
  const expectedSchemaPath = join(builtinTemplatesDir(), "schemas", "dev/spec@1.json");
  const instructions = buildPrompt({
    personaTitle: "Scripted agent",
    personaInstructions: "You are a test double.",
    phaseKey: "spec",
    attempt: 1,
    phaseInstructions: "Write the spec.",
    artifactPath: expectedArtifact,
    artifactSchema: "dev/spec@1",
    artifactSchemaPath: expectedSchemaPath,
    data: [],
  });
  return {
    uuid: randomUUID(),
    runId,
    roleId: "spec_writer",
    phaseKey: "spec",
    attempt: 1,
    dedupKey: promptDedupKey(runId, "spec", 1, prompt),
    expectedArtifact,
    expectedSchema: "dev/spec@1",
    expectedSchemaPath,
    instructions,
  };
}

describe("a tmux pane's output", () => {
  it("streams while the pane lives: each scrolled line once, in order, then its last screen", async () => {
    const adapter = tuiAdapter();
    const runId = randomUUID();
    const dir = harness.tempDir("pane");
    const handle = await adapter.start({
      sessionId: randomUUID(),
      runId,
      roleId: "spec_writer",
      agent: "tui",
      cwd: dir,
      sessionDir: join(dir, "session"),
    });
    const lines: string[] = [];
    const watch = adapter.watchOutput(handle, (batch) => lines.push(...batch), true);
    try {
      await adapter.sendPrompt(handle, specPrompt(runId, dir, 0));
      // Live: the first prompt's working screen, cleared into the history, arrives before the watch ends.
      await expect
        .poll(() => lines.join("\n"), { timeout: 15_000 })
        .toMatch(/working on prompt 1[\s\S]*\ndone$/m);
      await adapter.sendPrompt(handle, specPrompt(runId, dir, 1));
      await expect.poll(() => lines.join("\n"), { timeout: 15_000 }).toContain("working on prompt 2");
    } finally {
      await watch.finish();
      await adapter.stop(handle);
    }
    const text = lines.join("\n");
    for (const prompt of [1, 2])
      expect(text.match(new RegExp(`tui-agent — working on prompt ${prompt} `, "g"))).toHaveLength(1);
    expect(text.indexOf("working on prompt 1")).toBeLessThan(text.indexOf("working on prompt 2"));
    // The pane's last screen closes the transcript.
    expect(text).toMatch(
      /── the screen of %\d+ at [^\n]+ ──\ntui-agent — a scripted agent CLI[^\n]*\nprompts done: 2/,
    );
  }, 60_000);

  it("reaches Postgres through the SessionManager: chunks in sequence, the last screen stored before the pane stops at the gate", async () => {
    const writer = createTranscriptWriter({ prisma: harness.db.prisma, chunkBytes: 64 * 1024 });
    const worker = await harness.worker({
      queue: { backend: "postgres", connectionString: harness.db.url },
      adapter: tuiAdapter(),
      defaultAgent: "tui",
      onOutput: writer.onOutput,
    });
    try {
      const { runId } = await worker.engine.startRun({
        repository: harness.gitRemote(),
        baseBranch: "main",
        requirements: "Add a flag",
      });
      await waitForRunState(harness.db, runId, "awaiting_approval", 60_000);
      // Waiting is free: the pane is stopped at the gate, its last screen handed over first.
      await expect
        .poll(
          async () => (await harness.db.prisma.session.findMany({ where: { runId } })).map((s) => s.state),
          // The stop follows the gate's transaction and captures the last screen first: under load, seconds.
          { timeout: 30_000 },
        )
        .toEqual(["STOPPED"]);
      await writer.flush();
      const chunks = await harness.db.prisma.transcriptChunk.findMany({
        where: { runId },
        orderBy: { id: "asc" },
      });
      expect(chunks.map((chunk) => chunk.seq)).toEqual(chunks.map((_chunk, index) => index));
      const text = chunks.map((chunk) => chunk.text).join("");
      expect(text).toContain("tui-agent — working on prompt 1");
      expect(text).toMatch(/wrote dev\/spec@1 to \S+spec-1\.json/);
      expect(text).toMatch(/── the screen of %\d+ at /);
    } finally {
      await worker.stop();
    }
  }, 90_000);
});
