// The sandbox around an exec agent, shown by attack: a hostile `command` agent (test/fixtures/
// hostile-agent.mjs) run through the real ExecSessionAdapter tries to read devflow's process and data
// directory, write the repository, reach Postgres and Redis, and leave setsid children behind. Every
// attempt fails, its artifact still validates, and nothing of it runs on the host once it is stopped.
import { randomUUID } from "node:crypto";
import { readFile, rm } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { validateArtifact } from "../../src/engine/artifact-validator.js";
import { builtinTemplatesDir, loadRegistry } from "../../src/registry/index.js";
import { ExecSessionAdapter } from "../../src/sessions/exec-adapter.js";
import { promptDedupKey } from "../../src/sessions/prompt-envelope.js";
import { untilFile } from "./exec-agent-runs.js";
import {
  expectEveryAttackFailed,
  FIXTURES,
  HOSTILE_AGENT,
  type HostileReport,
  type HostileWorld,
  hostileWorld,
  markedProcesses,
} from "./sandbox-fixture.js";

const worlds: HostileWorld[] = [];
const stops: (() => Promise<void>)[] = [];
afterEach(() => Promise.all(stops.splice(0).map((stop) => stop())));
afterAll(() => Promise.all(worlds.map((world) => rm(world.root, { recursive: true, force: true }))));

describe("an exec agent in the sandbox", () => {
  it("fails every attack, writes its artifact, and leaves no process on the host once stopped", async () => {
    const world = hostileWorld();
    worlds.push(world);
    const adapter = new ExecSessionAdapter({
      command: [process.execPath, HOSTILE_AGENT],
      promptVia: "stdin",
      passThrough: [],
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
    stops.push(() => adapter.stop(handle));
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
    const report = JSON.parse(text) as HostileReport;
    expectEveryAttackFailed(world, report, text);
    const schemas = (await loadRegistry(builtinTemplatesDir())).schemas;
    await untilFile(expectedArtifact);
    const verdict = await validateArtifact(expectedArtifact, schemas.get("dev/spec@1") ?? {});
    expect(verdict.ok).toBe(true);

    // Seen from the host while it runs: the setsid children exist, as the unprivileged uid.
    const running = await markedProcesses(world.marker);
    expect(running).toHaveLength(2);
    if (process.getuid?.() === 0) for (const child of running) expect(child.uid).toBe(65534);

    await adapter.stop(handle);
    expect(await markedProcesses(world.marker)).toEqual([]);
    // devflow, as root, still reads and can commit what the agent wrote.
    expect(await readFile(join(world.worktree, "hostile-report.json"), "utf8")).toBe(text);
    expect(await readFile(join(world.worktree, ".git"), "utf8")).toMatch(/^gitdir: /);
    expect(await readFile(join(world.mirror, "config"), "utf8")).not.toContain("fsmonitor");
  });
});
