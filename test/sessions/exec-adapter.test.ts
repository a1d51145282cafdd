import { randomUUID } from "node:crypto";
import { access, mkdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ArtifactWaitResult, waitForArtifact } from "../../src/engine/artifact-validator.js";
import { DevflowError } from "../../src/errors/index.js";
import { type ArtifactSchemaEntry, builtinTemplatesDir, loadRegistry } from "../../src/registry/index.js";
import { ExecSessionAdapter } from "../../src/sessions/exec-adapter.js";
import type { PromptEnvelope } from "../../src/sessions/prompt-envelope.js";
import {
  dumps,
  envelope,
  execRun,
  removeRunFolders,
  runningInGroup,
  sent,
  stopStartedSessions,
  untilExited,
  untilFile,
} from "./exec-agent-runs.js";

let schemas: ReadonlyMap<string, ArtifactSchemaEntry>;

beforeAll(async () => {
  schemas = (await loadRegistry(builtinTemplatesDir())).schemas;
});
afterEach(stopStartedSessions);
afterAll(removeRunFolders);

function judged(prompted: PromptEnvelope): Promise<ArtifactWaitResult> {
  const schema = schemas.get(prompted.expectedSchema) ?? {};
  return waitForArtifact({ path: prompted.expectedArtifact, schema, timeoutMs: 10_000, pollMs: 20 });
}

async function rejection(promise: Promise<unknown>): Promise<DevflowError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  if (!(error instanceof DevflowError)) throw new Error(`expected a DevflowError, got ${String(error)}`);
  return error;
}

const exists = (path: string) =>
  access(path).then(
    () => true,
    () => false,
  );

describe("ExecSessionAdapter", () => {
  it("runs the command in the worktree with the prompt on stdin; the artifact validates, the transcript holds the output and onOutput gets it in bounded chunks", async () => {
    const run = await execRun();
    const prompted = await sent(run, "ok");
    expect(await judged(prompted)).toMatchObject({ status: "valid" });
    await untilExited(run.adapter, run.handle);
    expect(run.adapter.lastExit(run.handle)).toMatchObject({ code: 0, signal: null });
    const [dump] = await dumps(run.worktree);
    expect(dump?.cwd).toBe(run.worktree);
    expect(dump?.prompt).toBe(prompted.instructions);
    const transcript = await readFile(run.handle.transcriptPath ?? "", "utf8");
    expect(transcript).toContain("working: line 1 of 250\n");
    expect(transcript).toContain("working: line 250 of 250\n");
    expect(transcript).toContain("a warning on stderr\n");
    expect(await run.adapter.capture(run.handle)).toBe(run.handle.transcriptPath);
    expect(run.chunks.length).toBeGreaterThanOrEqual(7);
    for (const chunk of run.chunks) expect(chunk.length).toBeLessThanOrEqual(40);
    const working = run.chunks.flat().filter((line) => line.startsWith("working: "));
    expect(working).toEqual(Array.from({ length: 250 }, (_, i) => `working: line ${i + 1} of 250`));
  });

  it("gives the agent exactly the allowlist: PATH, its own HOME, LANG, TERM, the contract and its pass-through variables, never devflow's secrets", async () => {
    const canaries: Record<string, string> = {};
    for (const name of ["DATABASE_URL", "REDIS_URL", "PRIVATE_KEY", "WEBHOOK_SECRET", "GITHUB_TOKEN"])
      canaries[name] = `canary-${name}-${randomUUID()}`;
    canaries.UNLISTED_TOOL_TOKEN = `canary-unlisted-${randomUUID()}`;
    canaries.DEVFLOW_CONFIG = `canary-config-${randomUUID()}`;
    const apiKey = `sk-agent-${randomUUID()}`;
    const saved = { ...process.env };
    Object.assign(process.env, canaries, { ANTHROPIC_API_KEY: apiKey });
    try {
      const run = await execRun({ passThrough: ["ANTHROPIC_API_KEY"] });
      const prompted = await sent(run, "ok");
      await untilExited(run.adapter, run.handle);
      const [dump] = await dumps(run.worktree);
      expect(Object.keys(dump?.env ?? {}).sort()).toEqual([
        "ANTHROPIC_API_KEY",
        "DEVFLOW_ARTIFACT_PATH",
        "DEVFLOW_ARTIFACT_SCHEMA",
        "DEVFLOW_ATTEMPT",
        "DEVFLOW_PHASE",
        "DEVFLOW_PROMPT_FILE",
        "DEVFLOW_RUN_ID",
        "DEVFLOW_USAGE_FILE",
        "HOME",
        "LANG",
        "PATH",
        "TERM",
      ]);
      const sessionDir = join(run.root, "sessions", run.handle.sessionId);
      expect(dump?.env).toMatchObject({
        ANTHROPIC_API_KEY: apiKey,
        HOME: join(sessionDir, "home"),
        DEVFLOW_ARTIFACT_PATH: prompted.expectedArtifact,
        DEVFLOW_ARTIFACT_SCHEMA: prompted.expectedSchemaPath,
        DEVFLOW_RUN_ID: run.runId,
        DEVFLOW_PHASE: "spec",
        DEVFLOW_ATTEMPT: "1",
        DEVFLOW_USAGE_FILE: join(sessionDir, "home", "devflow-usage-spec-1-0.jsonl"),
      });
      const promptFile = JSON.parse(await readFile(dump?.env.DEVFLOW_PROMPT_FILE ?? "", "utf8"));
      expect(promptFile).toEqual(prompted);
      const seen = [
        JSON.stringify(dump),
        await readFile(run.handle.transcriptPath ?? "", "utf8"),
        await readFile(dump?.env.DEVFLOW_PROMPT_FILE ?? "", "utf8"),
      ].join("\n");
      for (const canary of Object.values(canaries)) expect(seen).not.toContain(canary);
    } finally {
      for (const name of [...Object.keys(canaries), "ANTHROPIC_API_KEY"]) delete process.env[name];
      Object.assign(process.env, saved);
    }
  });

  it.each([
    { promptVia: "arg" as const, args: ["--prompt"] },
    { promptVia: "file" as const, args: ["--prompt-file"] },
  ])("hands the prompt over as promptVia $promptVia says", async ({ promptVia, args }) => {
    const run = await execRun({ promptVia, args });
    const prompted = await sent(run, "ok");
    expect(await judged(prompted)).toMatchObject({ status: "valid" });
    await untilExited(run.adapter, run.handle);
    const [dump] = await dumps(run.worktree);
    expect(dump?.prompt).toBe(prompted.instructions);
    if (promptVia === "file") expect(dump?.argv.at(-1)).toMatch(/prompts\/.+\.md$/);
  });

  it("on timeout, stop() ends the agent and its child (SIGTERM ignored, SIGKILL after the grace period) and leaves no process of the group", async () => {
    // The agent writes its own pids: inside the sandbox's PID namespace they are not the host's, so this
    // test covers the process-group handling of an unsandboxed agent (sandbox: none); the sandboxed case,
    // setsid children included, is shown by a marker in argv in test/sessions/sandbox-exec.test.ts.
    const run = await execRun({ sandbox: { kind: "none" } });
    await sent(run, "timeout");
    const pids = JSON.parse(await untilFile(join(run.worktree, "exec-agent-pids.json")));
    expect(run.adapter.processId(run.handle)).toBe(pids.agent);
    expect(await run.adapter.isAlive(run.handle)).toBe(true);
    expect(await runningInGroup(pids.agent)).toHaveLength(2);
    await run.adapter.stop(run.handle);
    expect(await runningInGroup(pids.agent)).toEqual([]);
    expect(() => process.kill(pids.agent, 0)).toThrow();
    expect(await run.adapter.isAlive(run.handle)).toBe(false);
    expect(run.adapter.lastExit(run.handle)).toMatchObject({ code: null, signal: "SIGKILL" });
    expect(await readFile(run.handle.transcriptPath ?? "", "utf8")).toContain("ignoring SIGTERM");
    await run.adapter.stop(run.handle); // idempotent
    const error = await rejection(run.adapter.sendPrompt(run.handle, envelope(run, "ok", 1)));
    expect(error.code).toBe("session_not_found");
  });

  it("on a crash, isAlive turns false and lastExit quotes the exit code and the last lines", async () => {
    const run = await execRun();
    const prompted = await sent(run, "crash");
    await untilExited(run.adapter, run.handle);
    const exit = run.adapter.lastExit(run.handle);
    expect(exit).toMatchObject({ code: 3, signal: null });
    expect(exit?.tail).toEqual(["starting", "calling the model", "fatal: the model is out of cheese"]);
    expect(await exists(prompted.expectedArtifact)).toBe(false);
  });

  it("re-prompted after an invalid artifact, runs the command again, which writes a valid one", async () => {
    const run = await execRun();
    const first = await sent(run, "invalid-then-valid", 0);
    expect(await judged(first)).toMatchObject({ status: "invalid" });
    await untilExited(run.adapter, run.handle);
    const again = await sent(run, "invalid-then-valid", 1);
    expect(await judged(again)).toMatchObject({ status: "valid" });
    await untilExited(run.adapter, run.handle);
    expect((await dumps(run.worktree)).map((dump) => dump.env.DEVFLOW_PROMPT_FILE)).toHaveLength(2);
  });

  it("starts no second process for a replayed prompt (same dedupKey), even sent concurrently", async () => {
    const run = await execRun();
    const prompted = envelope(run, "ok");
    await mkdir(join(run.root, "artifacts"), { recursive: true });
    const replies = await Promise.all([1, 2, 3].map(() => run.adapter.sendPrompt(run.handle, prompted)));
    expect(replies).toEqual([1, 2, 3].map(() => ({ promptId: prompted.dedupKey })));
    await run.adapter.sendPrompt(run.handle, prompted);
    await untilExited(run.adapter, run.handle);
    expect(await dumps(run.worktree)).toHaveLength(1);
  });

  it("lets a restarted worker resume a session whose agent still runs, and stop its whole group", async () => {
    // The agent writes its own pids: inside the sandbox's PID namespace they are not the host's, so this
    // test covers the process-group handling of an unsandboxed agent (sandbox: none); the sandboxed case,
    // setsid children included, is shown by a marker in argv in test/sessions/sandbox-exec.test.ts.
    const run = await execRun({ sandbox: { kind: "none" } });
    await sent(run, "timeout");
    const pids = JSON.parse(await untilFile(join(run.worktree, "exec-agent-pids.json")));
    const restarted = new ExecSessionAdapter(run.settings);
    const resumed = await restarted.resume(run.handle);
    expect(resumed).toEqual({ ...run.handle, processId: pids.agent });
    expect(await restarted.isAlive(resumed)).toBe(true);
    await restarted.sendPrompt(resumed, envelope(run, "timeout")); // the replay starts nothing
    expect(await dumps(run.worktree)).toHaveLength(1);
    await restarted.stop(resumed);
    expect(await runningInGroup(pids.agent)).toEqual([]);
    expect(await restarted.isAlive(resumed)).toBe(false);
  });

  it("lets a restarted worker stop a session it never resumed, ending the whole group", async () => {
    // The agent writes its own pids: inside the sandbox's PID namespace they are not the host's, so this
    // test covers the process-group handling of an unsandboxed agent (sandbox: none); the sandboxed case,
    // setsid children included, is shown by a marker in argv in test/sessions/sandbox-exec.test.ts.
    const run = await execRun({ sandbox: { kind: "none" } });
    await sent(run, "timeout");
    const pids = JSON.parse(await untilFile(join(run.worktree, "exec-agent-pids.json")));
    const restarted = new ExecSessionAdapter(run.settings);
    expect(await restarted.isAlive(run.handle)).toBe(true);
    await restarted.stop(run.handle);
    expect(await runningInGroup(pids.agent)).toEqual([]);
    expect((await rejection(restarted.resume(run.handle))).code).toBe("session_not_found");
  });

  it("refuses to resume as session_not_found (recoverable) once the agent has exited, or when the pid is not its agent", async () => {
    const ended = await execRun();
    await sent(ended, "crash");
    await untilExited(ended.adapter, ended.handle);
    const error = await rejection(new ExecSessionAdapter(ended.settings).resume(ended.handle));
    expect([error.code, error.class]).toEqual(["session_not_found", "recoverable"]);

    const running = await execRun();
    await sent(running, "timeout");
    await untilFile(join(running.worktree, "exec-agent-pids.json"));
    const foreign = { ...running.handle, processId: process.pid }; // alive, but not this session's agent
    const restarted = new ExecSessionAdapter(running.settings);
    expect((await rejection(restarted.resume(foreign))).code).toBe("session_not_found");
    expect(await restarted.isAlive(foreign)).toBe(false);
  });

  it("refuses a command that cannot be started as agent_spawn_failed", async () => {
    const run = await execRun({ command: [join(tmpdir(), `no-such-agent-${randomUUID()}`)] });
    const error = await rejection(sent(run, "ok"));
    expect([error.code, error.class]).toEqual(["agent_spawn_failed", "needs_human"]);
    expect(await run.adapter.isAlive(run.handle)).toBe(false);
  });

  it.each(["DATABASE_URL", "GITHUB_TOKEN", "DEVFLOW_CONFIG", "HOME"])(
    "refuses to pass %s through to an agent",
    (name) => {
      const create = () =>
        new ExecSessionAdapter({ command: ["agent"], promptVia: "stdin", passThrough: [name] });
      expect(create).toThrowError(expect.objectContaining({ code: "agent_passthrough_forbidden" }));
    },
  );
});
