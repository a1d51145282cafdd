// The sandbox around a TUI in a tmux pane, shown by attack: the hostile agent (test/fixtures/
// hostile-agent.mjs --tui) gets its prompt pasted through the real TmuxSessionAdapter and tries what the
// exec test tries. Every attempt fails, its artifact validates, nothing of it runs on the host once the
// session is stopped, and the tmux server devflow started holds none of devflow's environment.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { validateArtifact } from "../../src/engine/artifact-validator.js";
import { builtinTemplatesDir, loadRegistry } from "../../src/registry/index.js";
import { promptDedupKey } from "../../src/sessions/prompt-envelope.js";
import { TmuxSessionAdapter } from "../../src/sessions/tmux-adapter.js";
import { untilFile } from "./exec-agent-runs.js";
import {
  expectEveryAttackFailed,
  FIXTURES,
  HOSTILE_AGENT,
  type HostileReport,
  hostileWorld,
  markedProcesses,
} from "./sandbox-fixture.js";

const world = hostileWorld();
const socketPath = join(world.root, "tmux", "devflow.sock");
const SECRET = `canary-worker-env-${randomUUID()}`;

afterAll(async () => {
  delete process.env.DEVFLOW_TEST_SECRET;
  await promisify(execFile)("tmux", ["-S", socketPath, "kill-server"]).catch(() => {});
  await rm(world.root, { recursive: true, force: true });
});

describe("a tmux agent in the sandbox", () => {
  it("fails every attack, writes its artifact, and leaves no process on the host once stopped", async () => {
    process.env.DEVFLOW_TEST_SECRET = SECRET; // in the worker's environment as the tmux server starts
    const adapter = new TmuxSessionAdapter({
      socketPath,
      command: [process.execPath, HOSTILE_AGENT, "--tui"],
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8", TERM: "xterm-256color" },
      readyPattern: /Ready for a prompt/,
      stopGraceMs: 300,
      mirrorsDir: join(world.dataDir, "mirrors"),
      // The root-only file is bound on purpose: the uid, not the mount, must keep it unreadable.
      sandbox: { readOnlyPaths: [FIXTURES, world.rootOnly] },
    });
    const handle = await adapter.start({
      sessionId: world.sessionId,
      runId: world.runId,
      roleId: "spec_writer",
      agent: "hostile",
      cwd: world.worktree,
      sessionDir: world.sessionDir,
    });
    try {
      const expectedArtifact = join(world.artifactDir, "spec-1.json");
      await adapter.sendPrompt(handle, {
        uuid: randomUUID(),
        runId: world.runId,
        roleId: "spec_writer",
        phaseKey: "spec",
        attempt: 1,
        expectedArtifact,
        expectedSchema: "dev/spec@1",
        expectedSchemaPath: join(builtinTemplatesDir(), "schemas", "dev/spec@1.json"),
        dedupKey: promptDedupKey(world.runId, "spec", 1, 0),
        instructions: `# Phase spec\n\nWrite the artifact.\n\n${world.targets}\n`,
      });
      const text = await untilFile(join(world.worktree, "hostile-report.json"));
      expectEveryAttackFailed(world, JSON.parse(text) as HostileReport, text);
      const schemas = (await loadRegistry(builtinTemplatesDir())).schemas;
      await untilFile(expectedArtifact);
      expect((await validateArtifact(expectedArtifact, schemas.get("dev/spec@1") ?? {})).ok).toBe(true);

      const running = await markedProcesses(world.marker);
      expect(running).toHaveLength(2);
      if (process.getuid?.() === 0) for (const child of running) expect(child.uid).toBe(65534);
      // The tmux server was started with an explicit minimal environment, not the worker's.
      const { stdout } = await promisify(execFile)("tmux", ["-S", socketPath, "display", "-p", "#{pid}"]);
      const serverEnviron = await readFile(`/proc/${stdout.trim()}/environ`, "utf8");
      expect(serverEnviron).not.toContain(SECRET);
      expect(
        serverEnviron
          .split("\0")
          .filter(Boolean)
          .map((entry) => entry.split("=")[0]),
      ).toEqual(expect.arrayContaining(["PATH"]));
    } finally {
      await adapter.stop(handle);
    }
    expect(await markedProcesses(world.marker)).toEqual([]);
  });
});
