import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { access, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ArtifactWaitResult, waitForArtifact } from "../../src/engine/artifact-validator.js";
import { DevflowError } from "../../src/errors/index.js";
import { type ArtifactSchemaEntry, builtinTemplatesDir, loadRegistry } from "../../src/registry/index.js";
import { FakeSessionAdapter, fakeScenario } from "../../src/sessions/fake-adapter.js";
import { type PromptEnvelope, promptDedupKey } from "../../src/sessions/prompt-envelope.js";
import type { SessionHandle } from "../../src/sessions/session-adapter.js";

const roots: string[] = [];
let schemas: ReadonlyMap<string, ArtifactSchemaEntry>;

beforeAll(async () => {
  schemas = (await loadRegistry(builtinTemplatesDir())).schemas;
});
afterAll(() => Promise.all(roots.map((root) => rm(root, { recursive: true, force: true }))));

/** A run of its own: a worktree, a session directory, a state directory and an adapter. */
async function fakeRun(options: { writeDelayMs?: number; stateDir?: string } = {}) {
  const root = await mkdtemp(join(tmpdir(), "devflow-fake-"));
  roots.push(root);
  const runId = randomUUID();
  const worktree = join(root, "worktree");
  const stateDir = options.stateDir ?? join(root, "sessions");
  const adapter = new FakeSessionAdapter({ writeDelayMs: options.writeDelayMs ?? 10, stateDir });
  const request = { sessionId: randomUUID(), runId, roleId: "implementer", agent: "fake", cwd: worktree };
  const handle = await adapter.start({ ...request, sessionDir: join(root, "session") });
  return { root, runId, worktree, stateDir, adapter, handle };
}

interface PromptOptions {
  schema?: string;
  phaseKey?: string;
  attempt?: number;
  prompt?: number;
  scenario?: string;
}

function envelope(run: { root: string; runId: string }, options: PromptOptions = {}): PromptEnvelope {
  const { schema = "dev/spec@1", phaseKey = "spec", attempt = 1, prompt = 0, scenario } = options;
  return {
    uuid: randomUUID(),
    runId: run.runId,
    roleId: "implementer",
    phaseKey,
    attempt,
    expectedArtifact: join(run.root, "artifacts", `${phaseKey}-${attempt}-${prompt}.json`),
    expectedSchema: schema,
    expectedSchemaPath: join(builtinTemplatesDir(), "schemas", `${schema}.json`),
    dedupKey: promptDedupKey(run.runId, phaseKey, attempt, prompt),
    instructions: `# Phase ${phaseKey}\n\n${scenario === undefined ? "" : `Scenario: ${scenario}\n`}Write the artifact.`,
  };
}

/** What the engine would see: the artifact judged against the real schema from templates/. */
function judged(sent: PromptEnvelope, timeoutMs = 3_000): Promise<ArtifactWaitResult> {
  const schema = schemas.get(sent.expectedSchema) ?? {};
  return waitForArtifact({ path: sent.expectedArtifact, schema, timeoutMs, pollMs: 10 });
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

describe("fakeScenario", () => {
  it.each([
    ["# Spec\n\nWrite it.", "ok"],
    ["# Spec\n\nScenario: crash\n\nWrite it.", "crash"],
    ["Scenario: review-changes", "review-changes"],
    ["scenario:   INVALID-always  ", "invalid-always"],
    ["User data:\n> Scenario: login\n\nScenario: timeout", "timeout"],
    ["The scenario: invalid is mentioned in prose", "ok"],
  ])("reads %j as %s", (instructions, scenario) => {
    expect(fakeScenario(instructions)).toBe(scenario);
  });
});

describe("FakeSessionAdapter", () => {
  it.each(["dev/spec@1", "dev/implementation@1", "dev/review@1"])(
    "writes an artifact valid against the real %s schema after its write delay",
    async (schema) => {
      const run = await fakeRun({ writeDelayMs: 60 });
      const sent = envelope(run, { schema });
      await expect(run.adapter.sendPrompt(run.handle, sent)).resolves.toEqual({ promptId: sent.dedupKey });
      expect(await exists(sent.expectedArtifact)).toBe(false);
      expect(await judged(sent)).toMatchObject({ status: "valid" });
    },
  );

  it("changes a file in the worktree when implementing and lists it in the artifact", async () => {
    const run = await fakeRun();
    const sent = envelope(run, { schema: "dev/implementation@1", phaseKey: "implement", attempt: 2 });
    await run.adapter.sendPrompt(run.handle, sent);
    const result = await judged(sent);
    const changes =
      result.status === "valid" ? (result.value as { changes: { path: string }[] }).changes : [];
    expect(changes.map((change) => change.path)).toEqual(["devflow-fake/implement-2.md"]);
    await expect(readFile(join(run.worktree, "devflow-fake/implement-2.md"), "utf8")).resolves.toContain(
      sent.dedupKey,
    );
  });

  it("writes {} for a schema it does not know", async () => {
    const run = await fakeRun();
    const sent = envelope(run, { schema: "acme/custom@3" });
    await run.adapter.sendPrompt(run.handle, sent);
    await sleep(80);
    expect(JSON.parse(await readFile(sent.expectedArtifact, "utf8"))).toEqual({});
  });

  it("with scenario invalid, writes an invalid artifact first and a valid one when re-prompted", async () => {
    const run = await fakeRun();
    const first = envelope(run, { scenario: "invalid", prompt: 0 });
    await run.adapter.sendPrompt(run.handle, first);
    expect(await judged(first)).toMatchObject({
      status: "invalid",
      problems: ['$: missing required property "summary"'],
    });
    const again = envelope(run, { scenario: "invalid", prompt: 1 });
    await run.adapter.sendPrompt(run.handle, again);
    expect(await judged(again)).toMatchObject({ status: "valid" });
  });

  it("with scenario invalid-always, never writes a valid artifact", async () => {
    const run = await fakeRun();
    for (const prompt of [0, 1, 2]) {
      const sent = envelope(run, { scenario: "invalid-always", schema: "dev/review@1", prompt });
      await run.adapter.sendPrompt(run.handle, sent);
      expect(await judged(sent)).toMatchObject({ status: "invalid" });
    }
  });

  it("with scenario timeout, writes nothing", async () => {
    const run = await fakeRun();
    const sent = envelope(run, { scenario: "timeout" });
    await run.adapter.sendPrompt(run.handle, sent);
    expect(await judged(sent, 150)).toEqual({ status: "timeout" });
    await expect(run.adapter.resume(run.handle)).resolves.toEqual(run.handle);
  });

  it("with scenario review-changes, requests changes on the first review attempt and approves the next", async () => {
    const run = await fakeRun();
    const verdicts: unknown[] = [];
    for (const attempt of [1, 2]) {
      const sent = envelope(run, {
        scenario: "review-changes",
        schema: "dev/review@1",
        phaseKey: "review",
        attempt,
      });
      await run.adapter.sendPrompt(run.handle, sent);
      const result = await judged(sent);
      expect(result.status).toBe("valid");
      verdicts.push(result.status === "valid" && (result.value as { verdict: string }).verdict);
    }
    expect(verdicts).toEqual(["request_changes", "approve"]);
  });

  it("with scenario crash, writes nothing and refuses every later prompt and resume as session_crashed", async () => {
    const run = await fakeRun();
    const sent = envelope(run, { scenario: "crash" });
    await run.adapter.sendPrompt(run.handle, sent);
    const error = await rejection(run.adapter.sendPrompt(run.handle, envelope(run, { prompt: 1 })));
    expect([error.code, error.class]).toEqual(["session_crashed", "needs_human"]);
    expect((await rejection(run.adapter.resume(run.handle))).code).toBe("session_crashed");
    const elsewhere = new FakeSessionAdapter({ stateDir: run.stateDir });
    expect((await rejection(elsewhere.resume(run.handle))).code).toBe("session_crashed");
    await sleep(80);
    expect(await exists(sent.expectedArtifact)).toBe(false);
  });

  it("lets a new adapter with the same state directory resume the session and prompt it", async () => {
    const run = await fakeRun();
    const restarted = new FakeSessionAdapter({ writeDelayMs: 10, stateDir: run.stateDir });
    await expect(restarted.resume(run.handle)).resolves.toEqual(run.handle);
    const sent = envelope(run, { schema: "dev/review@1" });
    await restarted.sendPrompt(run.handle, sent);
    expect(await judged(sent)).toMatchObject({ status: "valid" });
    expect(restarted.prompts).toEqual([sent]);
    expect(run.adapter.prompts).toEqual([]);
  });

  it("refuses to resume an unknown session as session_not_found, which may be retried", async () => {
    const run = await fakeRun();
    const stranger: SessionHandle = { ...run.handle, sessionId: randomUUID() };
    const error = await rejection(run.adapter.resume(stranger));
    expect([error.code, error.class]).toEqual(["session_not_found", "recoverable"]);
    const otherHost = new FakeSessionAdapter({ stateDir: join(run.root, "elsewhere") });
    expect((await rejection(otherHost.resume(run.handle))).code).toBe("session_not_found");
    const withoutState = new FakeSessionAdapter();
    expect((await rejection(withoutState.resume(run.handle))).code).toBe("session_not_found");
  });

  it("stop cancels a pending write, is idempotent and leaves the session unresumable", async () => {
    const run = await fakeRun({ writeDelayMs: 100 });
    const sent = envelope(run);
    await run.adapter.sendPrompt(run.handle, sent);
    await run.adapter.stop(run.handle);
    await run.adapter.stop(run.handle);
    await sleep(250);
    expect(await exists(sent.expectedArtifact)).toBe(false);
    expect((await rejection(run.adapter.resume(run.handle))).code).toBe("session_not_found");
    expect((await rejection(run.adapter.sendPrompt(run.handle, sent))).code).toBe("session_not_found");
  });

  it("capture appends a transcript line per prompt under the session directory", async () => {
    const run = await fakeRun();
    const prompts = [envelope(run, { prompt: 0 }), envelope(run, { prompt: 1 })];
    for (const sent of prompts) await run.adapter.sendPrompt(run.handle, sent);
    const path = await run.adapter.capture(run.handle);
    expect(path).toBe(join(run.root, "session", "transcript.log"));
    const third = envelope(run, { prompt: 2 });
    await run.adapter.sendPrompt(run.handle, third);
    await run.adapter.capture(run.handle);
    const promptLines = (await readFile(join(run.root, "session", "transcript.log"), "utf8"))
      .split("\n")
      .filter((line) => line.includes("] prompt "));
    expect(promptLines.map((line) => line.split(" ")[3])).toEqual([...prompts, third].map((p) => p.dedupKey));
  });

  it("records a replayed prompt but acts on its dedupKey once", async () => {
    const run = await fakeRun();
    const sent = envelope(run, { scenario: "invalid" });
    await run.adapter.sendPrompt(run.handle, sent);
    await expect(run.adapter.sendPrompt(run.handle, sent)).resolves.toEqual({ promptId: sent.dedupKey });
    expect(run.adapter.prompts).toEqual([sent, sent]);
    // Counted once, the replay is still "the first prompt of the attempt": invalid.
    expect(await judged(sent)).toMatchObject({ status: "invalid" });
  });

  it("does not keep the process alive while a write is pending", async () => {
    const root = await mkdtemp(join(tmpdir(), "devflow-fake-"));
    roots.push(root);
    const script = `
      import { FakeSessionAdapter } from "./src/sessions/fake-adapter.ts";
      const adapter = new FakeSessionAdapter({ writeDelayMs: 60_000 });
      const request = { sessionId: "s", runId: "r", roleId: "x", agent: "fake", cwd: ${JSON.stringify(root)} };
      const handle = await adapter.start({ ...request, sessionDir: ${JSON.stringify(join(root, "session"))} });
      await adapter.sendPrompt(handle, { dedupKey: "r:spec:1:0", instructions: "", expectedSchema: "dev/spec@1", expectedArtifact: "/nonexistent/a.json" });
      console.log("sent");`;
    const started = Date.now();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      { cwd: join(import.meta.dirname, "..", ".."), timeout: 10_000 },
    );
    expect(stdout.trim()).toBe("sent");
    expect(Date.now() - started).toBeLessThan(10_000);
  });
});
