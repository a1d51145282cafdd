// The exec adapter's tests drive test/fixtures/exec-agent.mjs through these: a run of its own (worktree,
// session directory, adapter), prompts naming a scenario, and checks on the processes it leaves.
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdir, mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { builtinTemplatesDir } from "../../src/registry/index.js";
import { ExecSessionAdapter, type ExecSessionAdapterOptions } from "../../src/sessions/exec-adapter.js";
import { type PromptEnvelope, promptDedupKey } from "../../src/sessions/prompt-envelope.js";
import type { SessionHandle } from "../../src/sessions/session-adapter.js";

const agentScript = fileURLToPath(new URL("../fixtures/exec-agent.mjs", import.meta.url));
/** The fixture agents, shown read-only inside the sandbox (the operator's sandbox.readOnlyPaths). */
export const FIXTURES_DIR = fileURLToPath(new URL("../fixtures/", import.meta.url));
const roots: string[] = [];
const started: { adapter: ExecSessionAdapter; handle: SessionHandle }[] = [];

/** Stops every session the tests started (afterEach) and removes their folders (afterAll). */
export async function stopStartedSessions(): Promise<void> {
  await Promise.all(started.splice(0).map(({ adapter, handle }) => adapter.stop(handle)));
}

export async function removeRunFolders(): Promise<void> {
  await Promise.all(roots.splice(0).map((root) => rm(root, { recursive: true, force: true })));
}

export type RunOptions = Partial<ExecSessionAdapterOptions> & { args?: string[] };

/** A run of its own: a worktree, a session directory and an adapter running the fixture agent. */
export async function execRun(options: RunOptions = {}) {
  const root = await mkdtemp(join(tmpdir(), "devflow-exec-"));
  roots.push(root);
  const worktree = join(root, "worktree");
  await mkdir(worktree);
  const chunks: string[][] = [];
  const { args = [], ...adapterOptions } = options;
  const settings: ExecSessionAdapterOptions = {
    command: [process.execPath, agentScript, ...args],
    promptVia: "stdin",
    passThrough: [],
    onOutput: (_sessionId, lines) => chunks.push(lines),
    maxChunkLines: 40,
    stopGraceMs: 300,
    sandbox: { readOnlyPaths: [FIXTURES_DIR] },
    ...adapterOptions,
  };
  const adapter = new ExecSessionAdapter(settings);
  const sessionId = randomUUID();
  const request = { sessionId, runId: randomUUID(), roleId: "spec_writer", agent: "mine", cwd: worktree };
  const handle = await adapter.start({ ...request, sessionDir: join(root, "sessions", sessionId) });
  started.push({ adapter, handle });
  return { root, runId: request.runId, worktree, adapter, handle, chunks, settings };
}

export function envelope(run: { root: string; runId: string }, scenario: string, prompt = 0): PromptEnvelope {
  return {
    uuid: randomUUID(),
    runId: run.runId,
    roleId: "spec_writer",
    phaseKey: "spec",
    attempt: 1,
    expectedArtifact: join(run.root, "artifacts", `spec-1-${prompt}.json`),
    expectedSchema: "dev/spec@1",
    expectedSchemaPath: join(builtinTemplatesDir(), "schemas", "dev/spec@1.json"),
    dedupKey: promptDedupKey(run.runId, "spec", 1, prompt),
    instructions: `# Phase spec\n\nWrite the artifact.\n\nScenario: ${scenario}\n`,
  };
}

export async function sent(run: Awaited<ReturnType<typeof execRun>>, scenario: string, prompt = 0) {
  const prompted = envelope(run, scenario, prompt);
  await mkdir(join(run.root, "artifacts"), { recursive: true });
  await run.adapter.sendPrompt(run.handle, prompted);
  return prompted;
}

export async function untilExited(adapter: ExecSessionAdapter, handle: SessionHandle): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (await adapter.isAlive(handle)) {
    if (Date.now() > deadline) throw new Error("the agent process did not exit");
    await sleep(20);
  }
}

export async function untilFile(path: string): Promise<string> {
  for (let tries = 0; tries < 500; tries++) {
    const text = await readFile(path, "utf8").catch(() => undefined);
    if (text) return text;
    await sleep(20);
  }
  throw new Error(`${path} never appeared`);
}

export async function dumps(worktree: string) {
  const names = (await readdir(worktree)).filter((name) => name.startsWith("exec-agent-dump-")).sort();
  return Promise.all(
    names.map(async (name) => JSON.parse(await readFile(join(worktree, name), "utf8")) as AgentDump),
  );
}

export interface AgentDump {
  env: Record<string, string>;
  argv: string[];
  cwd: string;
  prompt: string;
}

/** Processes of group `pgid` that still run (zombies waiting for their reaper are not running). */
export async function runningInGroup(pgid: number): Promise<string[]> {
  const { stdout } = await promisify(execFile)("ps", ["-e", "-o", "pid=,pgid=,stat="]);
  return stdout
    .split("\n")
    .map((line) => line.trim().split(/\s+/))
    .filter(([, group, stat]) => group === String(pgid) && !stat?.startsWith("Z"))
    .map(([pid]) => pid ?? "");
}
