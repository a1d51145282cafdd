// A worker restarted while a sandboxed agent still runs resumes its session; a later prompt of that
// session (a re-prompt) must start in the sandbox too, never unsandboxed for lack of the session's view.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { ExecSessionAdapter } from "../../src/sessions/exec-adapter.js";
import {
  envelope,
  execRun,
  removeRunFolders,
  sent,
  stopStartedSessions,
  untilFile,
} from "./exec-agent-runs.js";

afterEach(stopStartedSessions);
afterAll(removeRunFolders);

describe("a resumed sandboxed session", () => {
  it("starts its next prompt in the sandbox", async () => {
    const run = await execRun();
    await sent(run, "timeout");
    await untilFile(join(run.worktree, "exec-agent-dump-0.json"));
    const restarted = new ExecSessionAdapter(run.settings);
    const resumed = await restarted.resume(run.handle);
    try {
      await restarted.sendPrompt(resumed, envelope(run, "ok", 1));
      await untilFile(join(run.worktree, "exec-agent-dump-1.json"));
      const transcript = await readFile(run.handle.transcriptPath ?? "", "utf8");
      const starts = transcript.split("\n").filter((line) => line.includes(": starting "));
      expect(starts).toHaveLength(2);
      for (const line of starts) {
        expect(line).toContain("in its sandbox (bubblewrap");
        expect(line).not.toContain("UNSANDBOXED");
      }
    } finally {
      await restarted.stop(resumed);
    }
  });
});
