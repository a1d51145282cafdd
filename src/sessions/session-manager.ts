// One SessionManager per host (DESIGN §1): it holds a Postgres advisory lock keyed by the host id, so a
// second manager on the same host fails fast and touches nothing; it recovers this host's sessions at
// start-up before anything else runs; and on shutdown it keeps the lock until in-flight prompt sends
// and artifact polls have drained.
import { join } from "node:path";
import type { SandboxKind } from "../config/index.js";
import type { PrismaClient } from "../db/index.js";
import { type AdvisoryLock, tryAdvisoryLock } from "../db/index.js";
import { DevflowError } from "../errors/index.js";
import type { PromptEnvelope } from "./prompt-envelope.js";
import { type HostSessionsReport, recoverHostSessions } from "./recover-host-sessions.js";
import type { SentPrompt, SessionAdapter, SessionAttempt, SessionHandle } from "./session-adapter.js";
import { SessionOutputWatches } from "./session-output-watches.js";
import { handleOf, type SessionRow } from "./session-row.js";

export interface SessionManagerOptions {
  prisma: PrismaClient;
  /** For the lock's own connection (advisory locks live as long as their session). */
  connectionString: string;
  hostId: string;
  /** The default agent's adapter: it runs every agent `agents` does not name. */
  adapter: SessionAdapter;
  /** The operator's agents by name (server config), each with its adapter. */
  agents?: ReadonlyMap<string, SessionAdapter>;
  /** Transcripts and per-session HOMEs: `<sessionsDir>/<sessionId>/`. */
  sessionsDir: string;
  /** Upper bound on how long shutdown waits for in-flight work (default 30 s). */
  shutdownDrainMs?: number;
  /** Resume tries per session at start-up (default 3). */
  resumeAttempts?: number;
  /** Where the output of sessions whose adapter streams it (tmux panes) goes, as they work. */
  onOutput?: (sessionId: string, lines: string[]) => void;
  log?: (message: string, details?: Record<string, unknown>) => void;
}

function lockName(hostId: string): string {
  return `devflow:session-manager:${hostId}`;
}

export class SessionManager {
  private lock: AdvisoryLock | undefined;
  private readonly inFlight = new Set<Promise<unknown>>();
  /** Sessions this process started or resumed, by session id, with the agent each runs. */
  private readonly live = new Map<string, { handle: SessionHandle; agent: string }>();
  private readonly watches: SessionOutputWatches;
  private closing = false;

  constructor(private readonly options: SessionManagerOptions) {
    this.watches = new SessionOutputWatches(options.onOutput);
  }

  get hostId(): string {
    return this.options.hostId;
  }

  /** Whether this host can run `agent` (one of the operator's agents; any name when none are listed). */
  hasAgent(agent: string): boolean {
    return this.options.agents === undefined || this.options.agents.has(agent);
  }

  /** Whether `agent` runs sandboxed on this host (`none`: the operator's explicit choice); undefined if unknown. */
  sandboxOf(agent: string): SandboxKind | undefined {
    return this.adapterOf(agent).sandbox;
  }

  /** The adapter of a session this process started or resumed. */
  adapterFor(handle: SessionHandle): SessionAdapter {
    const agent = this.live.get(handle.sessionId)?.agent;
    return agent === undefined ? this.options.adapter : this.adapterOf(agent);
  }

  private adapterOf(agent: string): SessionAdapter {
    return this.options.agents?.get(agent) ?? this.options.adapter;
  }

  /**
   * Takes the host lock, then resumes this host's sessions and reports those it could not (the engine
   * decides their runs). Throws `session_manager_already_running`.
   */
  async initialize(): Promise<HostSessionsReport> {
    const lock = await tryAdvisoryLock(
      this.options.connectionString,
      `devflow:session-manager:${this.hostId}`,
    );
    if (!lock) {
      throw new DevflowError(`A SessionManager for host "${this.hostId}" is already running.`, {
        code: "session_manager_already_running",
        details: { hostId: this.hostId },
      });
    }
    this.lock = lock;
    this.watchLock(lock);
    try {
      return await recoverHostSessions({
        prisma: this.options.prisma,
        hostId: this.hostId,
        adapterOf: (agent) => this.adapterOf(agent),
        resumeAttempts: this.options.resumeAttempts ?? 3,
        onResumed: (handle, agent) => {
          this.live.set(handle.sessionId, { handle, agent });
          this.watches.watch(this.adapterOf(agent), handle, false);
        },
      });
    } catch (error) {
      await this.release();
      throw error;
    }
  }

  /** Runs `operation` as in-flight work that shutdown waits for. */
  track<T>(operation: Promise<T>): Promise<T> {
    this.inFlight.add(operation);
    const forget = () => this.inFlight.delete(operation);
    operation.then(forget, forget);
    return operation;
  }

  get isClosing(): boolean {
    return this.closing;
  }

  /**
   * The live session of this run and role on this host, resumed or started as needed. Given an attempt,
   * a session serves that one phase attempt only: one that was prompted for another attempt is stopped
   * and a fresh one started. A tmux pane's environment is fixed when it starts, so this is what keeps its
   * DEVFLOW_PHASE, DEVFLOW_ATTEMPT and DEVFLOW_ARTIFACT_PATH true (a reviewer's rejection sends the run
   * back to implement with no gate between, where the implementer's pane would otherwise live on).
   */
  async ensureSession(
    run: { id: string; worktreePath: string },
    roleId: string,
    agent: string,
    attempt?: SessionAttempt,
  ): Promise<SessionHandle> {
    this.assertOpen();
    const { prisma } = this.options;
    const rows = await prisma.session.findMany({
      where: { runId: run.id, roleId, hostId: this.hostId, state: { in: ["READY", "BUSY", "CREATED"] } },
      orderBy: { createdAt: "desc" },
    });
    for (const row of rows) {
      if (attempt && (await this.servedAnotherAttempt(row.id, attempt))) {
        await this.stopSession(row);
        continue;
      }
      const known = this.live.get(row.id);
      if (known) return known.handle;
      try {
        const handle = await this.adapterOf(row.agent).resume(handleOf(row));
        this.live.set(row.id, { handle, agent: row.agent });
        this.watches.watch(this.adapterOf(row.agent), handle, false);
        return handle;
      } catch {
        await prisma.session.update({ where: { id: row.id }, data: { state: "STOPPED" } });
      }
    }
    return this.startSession(run, roleId, agent, attempt);
  }

  private async servedAnotherAttempt(sessionId: string, attempt: SessionAttempt): Promise<boolean> {
    const other = await this.options.prisma.promptDelivery.findFirst({
      where: { sessionId, NOT: { phaseKey: attempt.phaseKey, attempt: attempt.attempt } },
      select: { id: true },
    });
    return other !== null;
  }

  private async startSession(
    run: { id: string; worktreePath: string },
    roleId: string,
    agent: string,
    attempt: SessionAttempt | undefined,
  ) {
    const { prisma } = this.options;
    const adapter = this.adapterOf(agent);
    // Reserved first (CREATED): a crash between reservation and start leaves a row recovery can see.
    const reserved: SessionRow = await prisma.session.create({
      data: {
        runId: run.id,
        roleId,
        agent,
        backend: adapter.backend,
        cwd: run.worktreePath,
        hostId: this.hostId,
        state: "CREATED",
      },
    });
    const handle = await this.track(
      adapter.start({
        sessionId: reserved.id,
        runId: run.id,
        roleId,
        agent,
        cwd: run.worktreePath,
        sessionDir: join(this.options.sessionsDir, reserved.id),
        ...(attempt && { attempt }),
      }),
    );
    await prisma.session.update({
      where: { id: reserved.id },
      data: {
        state: "READY",
        paneId: handle.paneId ?? null,
        processId: handle.processId ?? null,
        transcriptPath: handle.transcriptPath ?? null,
      },
    });
    this.live.set(reserved.id, { handle, agent });
    this.watches.watch(adapter, handle, true);
    return handle;
  }

  sendPrompt(handle: SessionHandle, envelope: PromptEnvelope): Promise<SentPrompt> {
    this.assertOpen();
    return this.track(this.adapterFor(handle).sendPrompt(handle, envelope));
  }

  /** Stops every session of the run on this host (at a gate or at the end: waiting holds no session). */
  async stopRunSessions(runId: string): Promise<void> {
    const { prisma } = this.options;
    const rows = await prisma.session.findMany({
      where: { runId, hostId: this.hostId, state: { in: ["CREATED", "READY", "BUSY"] } },
    });
    for (const row of rows) await this.stopSession(row);
  }

  /** Forgets a session that died under us (its row is marked by the caller). */
  private async stopSession(row: SessionRow): Promise<void> {
    const handle = this.live.get(row.id)?.handle ?? handleOf(row);
    await this.watches.finish(row.id); // what it shows last, before it goes
    await this.adapterOf(row.agent)
      .stop(handle)
      .catch(() => {});
    this.live.delete(row.id);
    await this.options.prisma.session.update({ where: { id: row.id }, data: { state: "STOPPED" } });
  }

  forget(sessionId: string): void {
    this.live.delete(sessionId);
    void this.watches.finish(sessionId);
  }

  /** Waits (bounded) for in-flight work, then releases the host lock. Sessions stay up for resume. */
  async shutdown(): Promise<void> {
    this.closing = true;
    const drainMs = this.options.shutdownDrainMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), drainMs);
    });
    const drained = Promise.allSettled([...this.inFlight]).then(() => "drained" as const);
    const outcome = await Promise.race([drained, timeout]);
    clearTimeout(timer);
    if (outcome === "timeout") {
      this.options.log?.("shutdown drain timed out; releasing the host lock anyway", {
        inFlight: this.inFlight.size,
      });
    }
    await this.watches.dropAll();
    await this.release();
  }

  /**
   * The lock lives as long as its connection: if Postgres restarts, take it again as soon as it answers
   * (the sessions are still ours; only the connection was lost).
   */
  private watchLock(lock: AdvisoryLock): void {
    void lock.lost.then(async () => {
      if (this.lock !== lock) return; // released on purpose
      this.options.log?.("lost the host lock's connection; taking the lock again", { hostId: this.hostId });
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, 500));
        if (this.lock !== lock) return;
        const again = await tryAdvisoryLock(this.options.connectionString, lockName(this.hostId)).catch(
          () => undefined,
        );
        if (again) {
          this.lock = again;
          this.watchLock(again);
          return;
        }
      }
    });
  }

  private async release(): Promise<void> {
    const lock = this.lock;
    this.lock = undefined;
    await lock?.release();
  }

  private assertOpen(): void {
    if (!this.lock) {
      throw new DevflowError("The SessionManager is not running (initialize() first, or it was shut down).", {
        code: "internal_error",
      });
    }
  }
}
