// An exec preset's stdout is its CLI's JSON event stream: the transcript shows it as readable lines
// (never the raw JSON), and the usage it reports — and what the agent appended to DEVFLOW_USAGE_FILE —
// is handed to the engine once per prompt (takeUsage), in its sandbox as without it.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import {
  execRun,
  FIXTURES_DIR,
  removeRunFolders,
  sent,
  stopStartedSessions,
  untilExited,
} from "./exec-agent-runs.js";

const STREAM_AGENT = `${FIXTURES_DIR}stream-agent.mjs`;
const RECORDED = `${FIXTURES_DIR}agent-streams/claude-preset.jsonl`;
afterEach(stopStartedSessions);
afterAll(removeRunFolders);

describe("an exec preset's stream and usage", () => {
  it.each(["bubblewrap", "none"] as const)(
    "reads the stream into transcript lines and the usage of the prompt (sandbox %s)",
    async (kind) => {
      const chunks: string[][] = [];
      const run = await execRun({
        command: [process.execPath, STREAM_AGENT, RECORDED],
        stream: "claude",
        sandbox: { kind, readOnlyPaths: [FIXTURES_DIR] },
        onOutput: (_session, lines) => chunks.push(lines),
      });
      await sent(run, "stream");
      await untilExited(run.adapter, run.handle);
      const transcript = await readFile(run.handle.transcriptPath ?? "", "utf8");
      expect(transcript).toContain("\ntool Write: file_path=");
      expect(transcript).toContain("\nassistant: The artifact is written and the command ran.\n");
      expect(transcript).not.toContain('{"type":');
      expect(chunks.flat()).toContain("assistant: The artifact is written and the command ran.");

      const usage = await run.adapter.takeUsage(run.handle, 1_000);
      expect(usage).toEqual([
        {
          phaseKey: "spec",
          attempt: 1,
          prompt: 0,
          usage: {
            inputTokens: 1700,
            outputTokens: 145,
            cacheReadTokens: 3600,
            cacheWriteTokens: 170,
            model: "claude-opus-4-8",
            costUsd: 0.0149875,
            source: "stream",
          },
          // The shell command it ran, which Claude's permission check refused.
          commands: {
            commands: [
              {
                command: expect.stringContaining("echo shell-ran-inside-the-cli"),
                exitCode: null,
                failed: true,
              },
            ],
            omitted: 0,
          },
        },
        {
          phaseKey: "spec",
          attempt: 1,
          prompt: 0,
          usage: {
            inputTokens: 5,
            outputTokens: 7,
            cacheReadTokens: 0,
            cacheWriteTokens: 0,
            model: "mine",
            costUsd: 0.01,
            source: "usage-file",
          },
        },
      ]);
      expect(await run.adapter.takeUsage(run.handle, 0)).toEqual([]); // taken once
    },
  );

  it("never blocks on, or follows, what an agent planted at its usage file (a FIFO, a link)", async () => {
    // A host file the agent cannot see, that would read as usage: a followed link would count it.
    const hostFile = join(await mkdtemp(join(tmpdir(), "devflow-usage-")), "usage.jsonl");
    await writeFile(hostFile, `${JSON.stringify({ inputTokens: 1, outputTokens: 1 })}\n`);
    for (const plant of ['mkfifo "$DEVFLOW_USAGE_FILE"', `ln -s ${hostFile} "$DEVFLOW_USAGE_FILE"`]) {
      const run = await execRun({
        command: ["/bin/sh", "-c", `${plant}; printf '{}' > "$DEVFLOW_ARTIFACT_PATH"`],
        sandbox: { readOnlyPaths: [FIXTURES_DIR] },
      });
      await sent(run, "plant");
      await untilExited(run.adapter, run.handle);
      // A FIFO opened for reading would wait for a writer forever; a link would be read as devflow.
      expect(await run.adapter.takeUsage(run.handle, 1_000), plant).toEqual([]);
    }
    await rm(dirname(hostFile), { recursive: true, force: true });
  });
});
