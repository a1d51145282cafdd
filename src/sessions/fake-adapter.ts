// The fake agent (DESIGN §4): scripted scenarios for tests and demos. What a prompt gets is in
// fake-scenarios.ts, where sessions are recorded in fake-session-store.ts, the work itself (in this
// process or a detached one) in fake-work.ts. Its transcript lines go to `onOutput` as they happen, as
// an exec agent's output does, and to the session's transcript file on capture().
import { randomUUID } from "node:crypto";
import { appendFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { DevflowError } from "../errors/index.js";
import { type FakeOutput, FakeScript, fakeScenario } from "./fake-scenarios.js";
import { type FakeSessionRecord, FakeSessionStore } from "./fake-session-store.js";
import { fakeFiles, spawnFakeWork, writeFakeFiles } from "./fake-work.js";
import type { PromptEnvelope } from "./prompt-envelope.js";
import type { SentPrompt, SessionAdapter, SessionHandle, SessionStartRequest } from "./session-adapter.js";

export { FAKE_SCENARIOS, type FakeScenario, fakeScenario } from "./fake-scenarios.js";

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
  /** The session's transcript lines as they happen (devflow stores them in Postgres). */
  readonly onOutput?: (sessionId: string, lines: string[]) => void;
}

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
  readonly #store: FakeSessionStore;
  readonly #detachedWork: boolean;
  readonly #onOutput: ((sessionId: string, lines: string[]) => void) | undefined;
  readonly #script = new FakeScript();
  readonly #prompts: PromptEnvelope[] = [];
  readonly #timers = new Map<string, Set<NodeJS.Timeout>>();
  /** Lines not yet appended to the session's transcript file (capture() appends them). */
  readonly #transcript = new Map<string, string[]>();
  readonly #delivered = new Set<string>();

  constructor(options: FakeSessionAdapterOptions = {}) {
    this.#writeDelayMs = options.writeDelayMs ?? 50;
    this.#newReference = options.sessionIdFactory ?? (() => `fake-${randomUUID()}`);
    this.#store = new FakeSessionStore(options.stateDir);
    this.#detachedWork = options.detachedWork === true && options.stateDir !== undefined;
    this.#onOutput = options.onOutput;
  }

  /** Every prompt this adapter received, in order (replays included). */
  get prompts(): readonly PromptEnvelope[] {
    return this.#prompts;
  }

  async start(request: SessionStartRequest): Promise<SessionHandle> {
    const existing = await this.#store.load(request.sessionId);
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
    await this.#store.save({ handle, status: "live" });
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
      await this.#store.save({ ...record, status: "crashed" });
      this.#note(handle.sessionId, "session crashed");
      return sent;
    }
    if (scenario !== "timeout") {
      const output = this.#script.decide(scenario, envelope);
      if (this.#detachedWork) this.#spawnWork(record.handle, envelope, output);
      else this.#schedule(handle.sessionId, () => this.#write(record.handle, envelope, output));
    }
    await this.#store.save({ ...record, prompts: [...(record.prompts ?? []), envelope.dedupKey] });
    return sent;
  }

  async wasDelivered(handle: SessionHandle, dedupKey: string): Promise<boolean> {
    if (this.#delivered.has(`${handle.sessionId}\n${dedupKey}`)) return true;
    return ((await this.#store.load(handle.sessionId))?.prompts ?? []).includes(dedupKey);
  }

  async resume(handle: SessionHandle): Promise<SessionHandle> {
    return (await this.#requireLive(handle)).handle;
  }

  async isAlive(handle: SessionHandle): Promise<boolean> {
    return (await this.#store.load(handle.sessionId))?.status === "live";
  }

  async capture(handle: SessionHandle): Promise<string | undefined> {
    const path = (await this.#store.load(handle.sessionId))?.handle.transcriptPath;
    if (path === undefined) return undefined;
    const lines = this.#transcript.get(handle.sessionId) ?? [];
    this.#transcript.delete(handle.sessionId);
    await mkdir(dirname(path), { recursive: true });
    await appendFile(path, lines.join(""));
    return path;
  }

  async stop(handle: SessionHandle): Promise<void> {
    this.#cancelWrites(handle.sessionId);
    const record = await this.#store.load(handle.sessionId);
    if (record?.status !== "live") return;
    await this.#store.save({ ...record, status: "stopped" });
    this.#note(handle.sessionId, "session stopped");
  }

  // ------------------------------------------------------------ the agent's work

  async #write(handle: SessionHandle, envelope: PromptEnvelope, output: FakeOutput): Promise<void> {
    try {
      // A session stopped or crashed meanwhile (perhaps by another process) writes nothing.
      if ((await this.#store.load(handle.sessionId))?.status !== "live") return;
      await writeFakeFiles(fakeFiles(handle.cwd, envelope, output), (line) =>
        this.#note(handle.sessionId, line),
      );
      if (!output.valid) this.#note(handle.sessionId, "the artifact it wrote is invalid (scenario)");
    } catch (error) {
      this.#note(handle.sessionId, `could not write the artifact: ${(error as Error).message}`);
    }
  }

  #spawnWork(handle: SessionHandle, envelope: PromptEnvelope, output: FakeOutput): void {
    const files = fakeFiles(handle.cwd, envelope, output);
    const work = { stateFile: this.#store.fileOf(handle.sessionId), delayMs: this.#writeDelayMs, files };
    const pid = spawnFakeWork(work, (line) => this.#note(handle.sessionId, line));
    this.#note(handle.sessionId, `working on ${envelope.dedupKey} in process ${pid}`);
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
    const text = `${new Date().toISOString()} [fake] ${line}`;
    const lines = this.#transcript.get(sessionId) ?? [];
    lines.push(`${text}\n`);
    this.#transcript.set(sessionId, lines);
    this.#onOutput?.(sessionId, [text]);
  }

  // ------------------------------------------------------------ session records

  async #requireLive(handle: SessionHandle): Promise<FakeSessionRecord> {
    const record = await this.#store.load(handle.sessionId);
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
}
