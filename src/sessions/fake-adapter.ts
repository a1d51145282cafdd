import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { appendFile, mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { DevflowError } from "../errors/index.js";
import type { PromptEnvelope } from "./prompt-envelope.js";
import type { SentPrompt, SessionAdapter, SessionHandle, SessionStartRequest } from "./session-adapter.js";

/** What the fake agent does with a prompt (DESIGN §4), named by a `Scenario: <name>` line of its instructions. */
export const FAKE_SCENARIOS = [
  "ok",
  "invalid",
  "invalid-always",
  "timeout",
  "crash",
  "review-changes",
] as const;
export type FakeScenario = (typeof FAKE_SCENARIOS)[number];

/**
 * The scenario a prompt asks of the fake agent: the first line `Scenario: <name>` (anywhere in the
 * Markdown) that names one of FAKE_SCENARIOS; `ok` when there is none. Lines naming something else
 * (say an issue body's "Scenario: login") are ignored.
 */
export function fakeScenario(instructions: string): FakeScenario {
  for (const match of instructions.matchAll(/^[ \t>*_-]*Scenario:[ \t]*([\w-]+)[ \t*_]*$/gim)) {
    const name = match[1]?.toLowerCase();
    const known = FAKE_SCENARIOS.find((scenario) => scenario === name);
    if (known !== undefined) return known;
  }
  return "ok";
}

export interface FakeSessionAdapterOptions {
  /** How long the "agent" works before it writes its artifact (default 50 ms). */
  readonly writeDelayMs?: number;
  /** Makes the adapter's own reference for a started session (its `paneId`); default `fake-<uuid>`. */
  readonly sessionIdFactory?: () => string;
  /** Where sessions are recorded (`<stateDir>/<sessionId>.json`) so another process on this host can resume them. */
  readonly stateDir?: string;
  /**
   * With a state directory: do the "agent's work" in a detached process, as a real agent would, so it
   * survives the worker that prompted it (worker-restart tests). Default false: in-process timers.
   */
  readonly detachedWork?: boolean;
}

/** The fake agent's work outside the worker: wait, check the session is still live, write the files. */
const DETACHED_WORK = `
const fs = require("node:fs"); const path = require("node:path");
const work = JSON.parse(process.env.DEVFLOW_FAKE_WORK);
setTimeout(() => {
  try { if (JSON.parse(fs.readFileSync(work.stateFile, "utf8")).status !== "live") return; } catch { return; }
  for (const file of work.files) { fs.mkdirSync(path.dirname(file.path), { recursive: true }); fs.writeFileSync(file.path, file.content); }
}, work.delayMs);`;

type FakeSessionStatus = "live" | "crashed" | "stopped";

interface FakeSessionRecord {
  readonly handle: SessionHandle;
  readonly status: FakeSessionStatus;
  /** dedupKeys the "agent" has taken, so a restarted worker can tell a prompt that never arrived. */
  readonly prompts?: readonly string[];
}

/** The folder, relative to the worktree, where the fake implementer makes its change. */
const FAKE_DIR = "devflow-fake";

/**
 * A scripted agent for tests and demos. Each prompt's scenario decides whether it writes a valid
 * artifact after `writeDelayMs`, an invalid one, nothing, or crashes its session. The dev schemas
 * (`dev/spec@1`, `dev/implementation@1`, `dev/review@1`) get realistic valid samples; the implementer
 * also changes a file in the worktree so the attempt has a diff.
 */
export class FakeSessionAdapter implements SessionAdapter {
  readonly backend = "fake";
  readonly #writeDelayMs: number;
  readonly #newReference: () => string;
  readonly #stateDir: string | undefined;
  readonly #detachedWork: boolean;
  readonly #prompts: PromptEnvelope[] = [];
  /** Session records when there is no state directory. */
  readonly #sessions = new Map<string, FakeSessionRecord>();
  readonly #timers = new Map<string, Set<NodeJS.Timeout>>();
  readonly #transcript = new Map<string, string[]>();
  readonly #delivered = new Set<string>();
  readonly #promptsOfAttempt = new Map<string, Set<string>>();
  readonly #attemptsOfPhase = new Map<string, Set<number>>();

  constructor(options: FakeSessionAdapterOptions = {}) {
    this.#writeDelayMs = options.writeDelayMs ?? 50;
    this.#newReference = options.sessionIdFactory ?? (() => `fake-${randomUUID()}`);
    this.#stateDir = options.stateDir;
    this.#detachedWork = options.detachedWork === true && options.stateDir !== undefined;
  }

  /** Every prompt this adapter received, in order (replays included). */
  get prompts(): readonly PromptEnvelope[] {
    return this.#prompts;
  }

  async start(request: SessionStartRequest): Promise<SessionHandle> {
    const existing = await this.#load(request.sessionId);
    if (existing?.status === "live") return existing.handle;
    await mkdir(request.sessionDir, { recursive: true });
    const handle: SessionHandle = {
      sessionId: request.sessionId,
      runId: request.runId,
      roleId: request.roleId,
      backend: this.backend,
      cwd: request.cwd,
      paneId: this.#newReference(),
      transcriptPath: join(request.sessionDir, "transcript.log"),
    };
    await this.#save({ handle, status: "live" });
    this.#note(handle.sessionId, `session started for ${request.agent} in ${request.cwd}`);
    return handle;
  }

  async sendPrompt(handle: SessionHandle, envelope: PromptEnvelope): Promise<SentPrompt> {
    const record = await this.#requireLive(handle);
    this.#prompts.push(envelope);
    const sent = { promptId: envelope.dedupKey };
    const delivery = `${handle.sessionId}\n${envelope.dedupKey}`;
    if (this.#delivered.has(delivery)) return sent;
    this.#delivered.add(delivery);
    const scenario = fakeScenario(envelope.instructions);
    this.#note(handle.sessionId, `prompt ${envelope.dedupKey} (${scenario}): ${envelope.expectedSchema}`);
    if (scenario === "crash") {
      this.#cancelWrites(handle.sessionId);
      await this.#save({ ...record, status: "crashed" });
      this.#note(handle.sessionId, "session crashed");
      return sent;
    }
    if (scenario !== "timeout") {
      const output = this.#decide(scenario, envelope);
      if (this.#detachedWork) this.#spawnWork(record.handle, envelope, output);
      else this.#schedule(handle.sessionId, () => this.#write(record.handle, envelope, output));
    }
    await this.#save({ ...record, prompts: [...(record.prompts ?? []), envelope.dedupKey] });
    return sent;
  }

  async wasDelivered(handle: SessionHandle, dedupKey: string): Promise<boolean> {
    if (this.#delivered.has(`${handle.sessionId}\n${dedupKey}`)) return true;
    return ((await this.#load(handle.sessionId))?.prompts ?? []).includes(dedupKey);
  }

  async resume(handle: SessionHandle): Promise<SessionHandle> {
    return (await this.#requireLive(handle)).handle;
  }

  async isAlive(handle: SessionHandle): Promise<boolean> {
    return (await this.#load(handle.sessionId))?.status === "live";
  }

  async capture(handle: SessionHandle): Promise<string | undefined> {
    const path = (await this.#load(handle.sessionId))?.handle.transcriptPath;
    if (path === undefined) return undefined;
    const lines = this.#transcript.get(handle.sessionId) ?? [];
    this.#transcript.delete(handle.sessionId);
    await mkdir(dirname(path), { recursive: true });
    await appendFile(path, lines.join(""));
    return path;
  }

  async stop(handle: SessionHandle): Promise<void> {
    this.#cancelWrites(handle.sessionId);
    const record = await this.#load(handle.sessionId);
    if (record?.status !== "live") return;
    await this.#save({ ...record, status: "stopped" });
    this.#note(handle.sessionId, "session stopped");
  }

  // ------------------------------------------------------------ what the agent writes

  /** Decided when the prompt arrives, so that prompts count in the order they were sent. */
  #decide(scenario: FakeScenario, envelope: PromptEnvelope): FakeOutput {
    const { runId, phaseKey, attempt, dedupKey } = envelope;
    const prompts = remember(this.#promptsOfAttempt, `${runId}\n${phaseKey}\n${attempt}`, dedupKey);
    const attempts = remember(this.#attemptsOfPhase, `${runId}\n${phaseKey}`, attempt);
    const valid = scenario === "invalid" ? prompts.size > 1 : scenario !== "invalid-always";
    // The first review attempt of a run this adapter sees requests changes; any later one approves.
    const firstReview = attempt <= 1 && Math.min(...attempts) === attempt;
    const verdict = scenario === "review-changes" && firstReview ? "request_changes" : "approve";
    const implementing = envelope.expectedSchema === "dev/implementation@1";
    const change = implementing
      ? `${FAKE_DIR}/${phaseKey.replace(/[^\w.-]/g, "_")}-${attempt}.md`
      : undefined;
    const sample = sampleArtifact(envelope, verdict, change);
    return { valid, change, artifact: valid ? sample : withoutSummary(sample) };
  }

  async #write(handle: SessionHandle, envelope: PromptEnvelope, output: FakeOutput): Promise<void> {
    try {
      // A session stopped or crashed meanwhile (perhaps by another process) writes nothing.
      if ((await this.#load(handle.sessionId))?.status !== "live") return;
      if (output.change !== undefined) {
        const file = join(handle.cwd, output.change);
        await mkdir(dirname(file), { recursive: true });
        await writeFile(file, changeText(envelope));
      }
      await mkdir(dirname(envelope.expectedArtifact), { recursive: true });
      await writeFile(envelope.expectedArtifact, `${JSON.stringify(output.artifact, null, 2)}\n`);
      const kind = output.valid ? "an artifact" : "an invalid artifact";
      this.#note(handle.sessionId, `wrote ${kind} to ${envelope.expectedArtifact}`);
    } catch (error) {
      this.#note(handle.sessionId, `could not write the artifact: ${(error as Error).message}`);
    }
  }

  #spawnWork(handle: SessionHandle, envelope: PromptEnvelope, output: FakeOutput): void {
    const files = [
      { path: envelope.expectedArtifact, content: `${JSON.stringify(output.artifact, null, 2)}\n` },
    ];
    if (output.change !== undefined)
      files.unshift({ path: join(handle.cwd, output.change), content: changeText(envelope) });
    const work = { stateFile: this.#stateFile(handle.sessionId), delayMs: this.#writeDelayMs, files };
    const child = spawn(process.execPath, ["-e", DETACHED_WORK], {
      detached: true,
      stdio: "ignore",
      env: { PATH: process.env.PATH ?? "", DEVFLOW_FAKE_WORK: JSON.stringify(work) },
    });
    child.unref();
    this.#note(handle.sessionId, `working on ${envelope.dedupKey} in process ${child.pid}`);
  }

  #schedule(sessionId: string, work: () => Promise<void>): void {
    const timers = this.#timers.get(sessionId) ?? new Set<NodeJS.Timeout>();
    this.#timers.set(sessionId, timers);
    const timer = setTimeout(() => {
      timers.delete(timer);
      void work();
    }, this.#writeDelayMs);
    timer.unref(); // a pending fake write never keeps the process alive
    timers.add(timer);
  }

  #cancelWrites(sessionId: string): void {
    for (const timer of this.#timers.get(sessionId) ?? []) clearTimeout(timer);
    this.#timers.delete(sessionId);
  }

  #note(sessionId: string, line: string): void {
    const lines = this.#transcript.get(sessionId) ?? [];
    lines.push(`${new Date().toISOString()} [fake] ${line}\n`);
    this.#transcript.set(sessionId, lines);
  }

  // ------------------------------------------------------------ session records

  async #requireLive(handle: SessionHandle): Promise<FakeSessionRecord> {
    const record = await this.#load(handle.sessionId);
    const known =
      record !== undefined && (handle.paneId === undefined || handle.paneId === record.handle.paneId);
    if (!known || record.status === "stopped") {
      throw new DevflowError(
        `Fake session ${handle.sessionId} ${known ? "was stopped" : "is not known on this host"}.`,
        { code: "session_not_found", details: { sessionId: handle.sessionId, backend: this.backend } },
      );
    }
    if (record.status === "crashed") {
      throw new DevflowError(`Fake session ${handle.sessionId} crashed (scenario "crash").`, {
        code: "session_crashed",
        details: { sessionId: handle.sessionId, transcript: record.handle.transcriptPath },
      });
    }
    return record;
  }

  /** With a state directory, its file is the truth: another process may have changed it. */
  async #load(sessionId: string): Promise<FakeSessionRecord | undefined> {
    if (this.#stateDir === undefined) return this.#sessions.get(sessionId);
    const text = await readFile(this.#stateFile(sessionId), "utf8").catch(() => undefined);
    return text === undefined ? undefined : parseRecord(text);
  }

  async #save(record: FakeSessionRecord): Promise<void> {
    this.#sessions.set(record.handle.sessionId, record);
    if (this.#stateDir === undefined) return;
    const file = this.#stateFile(record.handle.sessionId);
    const partial = `${file}.${process.pid}.${randomUUID()}.tmp`;
    await mkdir(this.#stateDir, { recursive: true });
    await writeFile(partial, `${JSON.stringify(record, null, 2)}\n`);
    await rename(partial, file); // readers in other processes never see half a record
  }

  #stateFile(sessionId: string): string {
    return join(this.#stateDir ?? "", `${encodeURIComponent(sessionId)}.json`);
  }
}

interface FakeOutput {
  readonly valid: boolean;
  /** Worktree-relative path of the file the implementer changes. */
  readonly change: string | undefined;
  readonly artifact: unknown;
}

function remember<T>(map: Map<string, Set<T>>, key: string, value: T): Set<T> {
  const values = map.get(key) ?? new Set<T>();
  values.add(value);
  map.set(key, values);
  return values;
}

function parseRecord(text: string): FakeSessionRecord | undefined {
  try {
    const record = JSON.parse(text) as Partial<FakeSessionRecord> | null;
    return typeof record?.handle?.sessionId === "string" ? (record as FakeSessionRecord) : undefined;
  } catch {
    return undefined; // a torn or foreign file: the session is not known
  }
}

/** A valid artifact of the envelope's schema; `{}` for a schema the fake does not know. */
function sampleArtifact(
  envelope: PromptEnvelope,
  verdict: "approve" | "request_changes",
  change: string | undefined,
): Record<string, unknown> {
  const where = `run ${envelope.runId}, phase ${envelope.phaseKey}, attempt ${envelope.attempt}`;
  switch (envelope.expectedSchema) {
    case "dev/spec@1":
      return {
        summary: `Fake specification for ${where}: add a note file under ${FAKE_DIR}/.`,
        requirements: [`A Markdown file exists under ${FAKE_DIR}/ after the implement phase.`],
        acceptanceCriteria: ["The implementation artifact lists the file it created."],
        plan: [`Create ${FAKE_DIR}/<phase>-<attempt>.md in the worktree.`],
        risks: [],
        openQuestions: [],
      };
    case "dev/implementation@1":
      return {
        summary: `Fake implementation for ${where}.`,
        changes: [{ path: change, description: "Written by the fake agent so the attempt has a diff." }],
        testsRun: [{ command: "true", outcome: "passed", details: "The fake agent runs no real checks." }],
        notes: "Written by devflow's fake session adapter.",
      };
    case "dev/review@1": {
      const finding = {
        path: FAKE_DIR,
        severity: "error",
        message: "The fake reviewer asks for changes once.",
      };
      const approve = verdict === "approve";
      return {
        verdict,
        summary: `Fake review for ${where}: ${approve ? "the change meets the spec" : "one change is needed"}.`,
        findings: approve ? [] : [finding],
      };
    }
    default:
      return {};
  }
}

/** Fails its schema: no `summary` (required by every dev schema), or not an object at all. */
function withoutSummary(sample: Record<string, unknown>): unknown {
  if (Object.keys(sample).length === 0) return [];
  const { summary: _summary, ...rest } = sample;
  return rest;
}

function changeText(envelope: PromptEnvelope): string {
  return `# Fake change\n\nRun ${envelope.runId}, phase ${envelope.phaseKey}, attempt ${envelope.attempt}, prompt ${envelope.dedupKey}.\n`;
}
