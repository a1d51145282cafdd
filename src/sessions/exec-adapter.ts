import { spawn } from "node:child_process";
import { appendFile, rm } from "node:fs/promises";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { type SandboxKind, type SandboxSettings, sandboxSettings } from "../config/index.js";
import { DevflowError } from "../errors/index.js";
import { checkPassThrough } from "./agent-environment.js";
import { describeSandbox } from "./egress/session-egress.js";
import { ExecOutput } from "./exec-output.js";
import {
  type AgentProcess,
  type ExecExit,
  type ExecSession,
  type ExecSessionAdapterOptions,
  execAgentEnvironment,
  launchArgv,
  notFound,
  openExecSession,
  sandboxEnded,
  spawned,
  spawnFailed,
} from "./exec-process.js";
import {
  ownAgent,
  RECORD_FILE,
  readTail,
  recordedAgent,
  writePrompt,
  writeRecord,
} from "./exec-session-files.js";
import { PromptUsageReader, sessionUsageSoFar, takeSessionUsage, usageFilePath } from "./exec-usage.js";
import { argvValuesOf, expandArgv } from "./presets/agent-preset.js";
import { endProcessGroup } from "./process-group.js";
import type { PromptEnvelope } from "./prompt-envelope.js";
import { programExists, readSandboxInit } from "./sandbox-launch.js";
import { sandboxUnavailable } from "./sandbox-ownership.js";
import type {
  PromptUsage,
  SentPrompt,
  SessionAdapter,
  SessionHandle,
  SessionStartRequest,
} from "./session-adapter.js";

export type { ExecExit, ExecSessionAdapterOptions } from "./exec-process.js";

/**
 * Headless one-shot agent CLIs (`claude -p`, `codex exec`, any command): each prompt starts the
 * command once, in its own process group, with cwd = the worktree and the scrubbed environment of
 * DESIGN §4. Its output streams into the session transcript; the artifact file says when it is done.
 */
export class ExecSessionAdapter implements SessionAdapter {
  readonly backend = "exec";
  /** Whether the agent runs sandboxed; `none` is the operator's explicit choice, said in run reports. */
  readonly sandbox: SandboxKind;
  readonly #sandbox: SandboxSettings;
  readonly #options: ExecSessionAdapterOptions;
  readonly #sessions = new Map<string, ExecSession>();
  readonly #stopGraceMs: number;

  constructor(options: ExecSessionAdapterOptions) {
    if (options.command.length === 0 || options.command[0] === "") {
      throw new DevflowError("An exec agent needs a command: its argv is empty.", {
        code: "invalid_server_config",
      });
    }
    checkPassThrough(options.passThrough); // refused when the worker starts, not at the first prompt
    this.#options = options;
    this.#stopGraceMs = options.stopGraceMs ?? 5_000;
    this.#sandbox = sandboxSettings(options.sandbox);
    this.sandbox = this.#sandbox.kind;
  }

  async start(request: SessionStartRequest): Promise<SessionHandle> {
    const known = this.#sessions.get(request.sessionId);
    if (known !== undefined && !known.stopped) return known.handle;
    const { sessionId } = request;
    const session = await openExecSession(this.#options, this.#sandbox, request, (line) => {
      const live = this.#sessions.get(sessionId);
      if (live?.output) live.output.note(line);
      else void appendFile(session.transcriptPath, `[devflow ${new Date().toISOString()}] ${line}\n`);
    });
    const { handle } = session;
    this.#sessions.set(sessionId, { ...session, stopped: false, sending: Promise.resolve() });
    return handle;
  }

  async sendPrompt(handle: SessionHandle, envelope: PromptEnvelope): Promise<SentPrompt> {
    const session = this.#sessions.get(handle.sessionId);
    if (session === undefined || session.stopped) throw notFound(handle, "is not live in this worker");
    // One prompt at a time per session, so that a replay sent concurrently still starts nothing.
    const turn = session.sending.then(() => this.#send(session, handle, envelope));
    session.sending = turn.catch(() => undefined);
    return turn;
  }

  async #send(session: ExecSession, handle: SessionHandle, envelope: PromptEnvelope): Promise<SentPrompt> {
    if (session.stopped) throw notFound(handle, "was stopped");
    const sent = { promptId: envelope.dedupKey };
    if (session.delivered.has(envelope.dedupKey)) return sent;
    await this.#endProcess(session); // one process per session: a re-prompt replaces the last one
    const { promptFile, markdownFile } = await writePrompt(session.dir, envelope);
    const { promptVia } = this.#options;
    const prompt = promptVia === "arg" ? [envelope.instructions] : promptVia === "file" ? [markdownFile] : [];
    const [program = "", ...args] = [...expandArgv(this.#options.command, argvValuesOf(envelope)), ...prompt];
    const usageFile = usageFilePath(session.home, envelope);
    const usage = new PromptUsageReader(this.#options, envelope, usageFile);
    const env = execAgentEnvironment(this.#options, session, envelope, promptFile, usageFile);
    const output = new ExecOutput({
      transcriptPath: session.transcriptPath,
      onChunk: this.#options.onOutput && ((lines) => this.#options.onOutput?.(handle.sessionId, lines)),
      maxChunkLines: this.#options.maxChunkLines ?? 100,
      maxLineChars: 2_000,
      tailLines: this.#options.tailLines ?? 20,
      flushMs: 200,
      ...(this.#options.limits && {
        lineLimitChars: this.#options.limits.transcriptLineChars,
        transcriptLimitBytes: this.#options.limits.transcriptBytesPerSession,
      }),
    });
    session.output = output;
    if (session.sandbox && !programExists(program, env.PATH, handle.cwd)) {
      const why = new Error(`spawn ${program} ENOENT (not found on the agent's PATH)`);
      output.note(`could not start ${program}: ${why.message}`);
      await output.close();
      throw spawnFailed(handle, program, why);
    }
    const launch = await launchArgv(session, envelope, [program, ...args], promptFile).catch(
      async (error: unknown) => {
        output.note(`could not prepare the sandbox: ${(error as Error).message}`);
        await output.close();
        throw error;
      },
    );
    const how = describeSandbox(session.sandbox);
    output.note(`prompt ${envelope.dedupKey}: starting ${program} in ${handle.cwd} ${how}`);
    const [launched = "", ...launchArgs] = launch;
    const child = spawn(launched, launchArgs, {
      cwd: handle.cwd,
      env,
      detached: true, // its own process group, which stop() ends as a whole
      stdio: [
        promptVia === "stdin" ? "pipe" : "ignore",
        "pipe",
        "pipe",
        ...(session.sandbox ? ["pipe" as const] : []),
      ],
    });
    const sandboxInit = session.sandbox ? readSandboxInit(child.stdio[3] as Readable | null) : undefined;
    const exited = new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      child.once("exit", (code, signal) => resolve([code, signal])),
    );
    const closed = new Promise<void>((resolve) => child.once("close", () => resolve()));
    try {
      await spawned(child);
    } catch (error) {
      output.note(`could not start ${launched}: ${(error as Error).message}`);
      await output.close();
      if (session.sandbox && (error as NodeJS.ErrnoException).code === "ENOENT")
        throw sandboxUnavailable(error);
      throw spawnFailed(handle, program, error);
    }
    const pid = child.pid ?? 0;
    if (child.stdout) output.attach(usage.transcriptOf(child.stdout));
    if (child.stderr) output.attach(child.stderr);
    child.stdin?.on("error", () => {}); // an agent that never reads stdin closes it early (EPIPE)
    child.stdin?.end(envelope.instructions);
    session.delivered.add(envelope.dedupKey);
    const agent: AgentProcess = { pid, done: false, reading: usage, ...(sandboxInit ? { sandboxInit } : {}) };
    session.process = agent;
    agent.finished = this.#finish(session, agent, program, exited, closed, output, usage).finally(() => {
      agent.done = true;
    });
    await writeRecord(session.dir, { pid, promptId: envelope.dedupKey });
    return sent;
  }

  /**
   * Re-attaches after a worker restart. A one-shot process cannot be re-attached to its output, so
   * this succeeds only while the session's recorded process still runs and is ours (its environment
   * holds the session's HOME); otherwise `session_not_found`, and the engine starts a new attempt.
   */
  async resume(handle: SessionHandle): Promise<SessionHandle> {
    const known = this.#sessions.get(handle.sessionId);
    if (known !== undefined && !known.stopped) return known.handle;
    const found = await recordedAgent(handle);
    if (found === undefined) throw notFound(handle, "has no live agent process on this host");
    const { pid, dir, record } = found;
    const resumed = { ...handle, processId: pid };
    // Its next prompts start in the sandbox (and egress proxy) of a new session view, never without.
    const { sessionId, runId, roleId, cwd } = handle;
    const request = { sessionId, runId, roleId, agent: "", cwd, sessionDir: dir };
    const opened = await openExecSession(this.#options, this.#sandbox, request, (line) =>
      this.#sessions.get(sessionId)?.output?.note(line),
    );
    const delivered = new Set([record.promptId]); // a replay of its prompt starts nothing
    const agent: AgentProcess = { pid, done: false };
    const session = { ...opened, handle: resumed, delivered, process: agent };
    this.#sessions.set(sessionId, { ...session, stopped: false, sending: Promise.resolve() });
    return resumed;
  }

  /** Whether the session's current agent process runs; false once it exited (then lastExit() says how). */
  async isAlive(handle: SessionHandle): Promise<boolean> {
    const session = this.#sessions.get(handle.sessionId);
    if (session === undefined) return (await recordedAgent(handle)) !== undefined;
    const agent = session.process;
    if (agent === undefined || agent.done || session.stopped) return false;
    if (agent.finished !== undefined) return true;
    if (await ownAgent(session, agent.pid)) return true;
    await this.#resumedEnded(session, agent);
    return false;
  }

  /** The transcript is written as the agent prints; capture only names it. */
  async capture(handle: SessionHandle): Promise<string | undefined> {
    return this.#sessions.get(handle.sessionId)?.transcriptPath ?? handle.transcriptPath;
  }

  /** Ends the session's process group (SIGTERM, SIGKILL after the grace period). Idempotent. */
  async stop(handle: SessionHandle): Promise<void> {
    const session = this.#sessions.get(handle.sessionId);
    if (session !== undefined) {
      session.stopped = true;
      await this.#endProcess(session);
      await session.egress?.close();
      await rm(join(session.dir, RECORD_FILE), { force: true });
      return;
    }
    const found = await recordedAgent(handle); // started by an earlier worker on this host
    if (found === undefined) return;
    await endProcessGroup(found.pid, this.#stopGraceMs);
    await rm(join(found.dir, RECORD_FILE), { force: true });
  }

  /** How the session's last agent process ended, once it has (undefined while it runs). */
  lastExit(handle: SessionHandle): ExecExit | undefined {
    return this.#sessions.get(handle.sessionId)?.lastExit;
  }

  /** The usage of the session's ended prompts, taken once; waits up to `waitMs` for the current one. */
  takeUsage(handle: SessionHandle, waitMs: number): Promise<PromptUsage[]> {
    return takeSessionUsage(this.#sessions.get(handle.sessionId), waitMs);
  }

  /** The usage of the session's prompts to date: those ended and not yet taken, and the running one's. */
  usageSoFar(handle: SessionHandle): Promise<PromptUsage[]> {
    return sessionUsageSoFar(this.#sessions.get(handle.sessionId));
  }

  /** The pid (and process group id) of the session's current or last agent process. */
  processId(handle: SessionHandle): number | undefined {
    return this.#sessions.get(handle.sessionId)?.process?.pid;
  }

  async #finish(
    session: ExecSession,
    agent: AgentProcess,
    program: string,
    exited: Promise<[number | null, NodeJS.Signals | null]>,
    closed: Promise<void>,
    output: ExecOutput,
    usage: PromptUsageReader,
  ): Promise<void> {
    const [code, signal] = await exited;
    // Background children of a one-shot command outlive their use: end them, and take the output
    // they held open, before the exit is reported. In a sandbox they die with its init.
    await sandboxEnded(agent);
    await Promise.race([closed, sleep(500)]);
    await endProcessGroup(agent.pid, this.#stopGraceMs);
    await Promise.race([closed, sleep(500)]);
    output.note(
      signal === null ? `${program} exited with code ${code}` : `${program} was ended by ${signal}`,
    );
    await output.close();
    session.usage.push(...(await usage.collect()));
    session.lastExit = { code, signal, tail: output.tail() };
  }

  async #endProcess(session: ExecSession): Promise<void> {
    const agent = session.process;
    if (agent === undefined || agent.done) return;
    if (agent.finished !== undefined) {
      await endProcessGroup(agent.pid, this.#stopGraceMs);
      await sandboxEnded(agent);
      await agent.finished;
      return;
    }
    if (await ownAgent(session, agent.pid)) await endProcessGroup(agent.pid, this.#stopGraceMs);
    await this.#resumedEnded(session, agent);
  }

  /** A resumed process ended: its exit status went to the worker that started it; the tail is on disk. */
  async #resumedEnded(session: ExecSession, agent: AgentProcess): Promise<void> {
    agent.done = true;
    const tail = await readTail(session.transcriptPath, this.#options.tailLines ?? 20);
    session.lastExit ??= { code: null, signal: null, tail };
  }
}
