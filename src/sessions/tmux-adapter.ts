// Interactive agent TUIs in detached panes on devflow's own tmux socket (DESIGN §4). One tmux session per
// run and role, named `devflow-<runId8>-<roleId>`; prompts are pasted through named buffers as one
// bracketed paste, then submitted with keys (never `send-keys` of the text). The pane is recorded on the
// tmux session (user options), so a restarted worker finds it again. Completion is never read from the
// screen: the engine waits for the artifact file.
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type SandboxKind, type SandboxSettings, sandboxSettings } from "../config/sandbox-settings.js";
import { DevflowError, type ErrorCode } from "../errors/index.js";
import { builtinTemplatesDir } from "../registry/index.js";
import { proxyEnvironment } from "./egress/egress-forwarder.js";
import { SessionEgresses } from "./egress/session-egress.js";
import { endProcessGroup } from "./process-group.js";
import type { PromptEnvelope } from "./prompt-envelope.js";
import type { SentPrompt, SessionAdapter, SessionHandle, SessionStartRequest } from "./session-adapter.js";
import { attemptVariables } from "./session-adapter.js";
import { formatLiteral, TmuxClient } from "./tmux-client.js";
import type { TmuxSessionAdapterOptions } from "./tmux-options.js";
import {
  handleOf,
  lastLines,
  noteTo,
  type PaneInfo,
  paneBelongsTo,
  paneNotFound,
  readPane,
  requirePane,
  tmuxSessionName,
} from "./tmux-pane-info.js";
import { checkAgentEnvironment, envFileText, paneLaunchArgv, shellQuote } from "./tmux-pane-launch.js";
import { checkArtifactReachable, paneCommand } from "./tmux-pane-sandbox.js";
import { watchPane } from "./tmux-pane-stream.js";
import { pasteText, promptFilePath, recordPasted, wasPasted, writePromptFile } from "./tmux-prompt-files.js";

export type { TmuxSessionAdapterOptions } from "./tmux-options.js";

const WINDOW = { width: "200", height: "50" };
const POLL_MS = 50;

export { attachCommand } from "./tmux-pane-info.js";

export class TmuxSessionAdapter implements SessionAdapter {
  readonly backend = "tmux";
  /** Whether the agent runs sandboxed; `none` is the operator's explicit choice, said in run reports. */
  readonly sandbox: SandboxKind;
  readonly #sandbox: SandboxSettings;
  readonly #schemaDir: string;
  readonly #mirrorsDir: string | undefined;
  readonly socketPath: string;
  readonly #tmux: TmuxClient;
  readonly #command: readonly string[];
  readonly #env: Readonly<Record<string, string>>;
  readonly #readyPattern: RegExp | undefined;
  readonly #submitKeys: readonly string[];
  readonly #readyTimeoutMs: number;
  readonly #submitDelayMs: number;
  readonly #stopGraceMs: number;
  /** Deliveries under way or done in this process, by session and dedupKey. */
  readonly #deliveries = new Map<string, Promise<SentPrompt>>();
  /** One prompt at a time per session. */
  readonly #queues = new Map<string, Promise<unknown>>();
  readonly #egress = new SessionEgresses();

  constructor(options: TmuxSessionAdapterOptions) {
    if (options.command.length === 0) {
      throw new DevflowError("A tmux agent needs a command to run in its pane; the preset gave none.", {
        code: "invalid_server_config",
      });
    }
    checkAgentEnvironment(options.env);
    this.socketPath = options.socketPath;
    this.#tmux = new TmuxClient(options.socketPath);
    this.#command = [...options.command];
    this.#env = { ...options.env };
    // Without g or y, so that test() does not depend on where an earlier call stopped.
    const ready = options.readyPattern;
    this.#readyPattern = ready && new RegExp(ready.source, ready.flags.replace(/[gy]/g, ""));
    this.#submitKeys = options.submitKeys ?? ["Enter"];
    this.#readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
    this.#submitDelayMs = options.submitDelayMs ?? 150;
    this.#stopGraceMs = options.stopGraceMs ?? 2_000;
    this.#sandbox = sandboxSettings(options.sandbox);
    this.sandbox = this.#sandbox.kind;
    this.#schemaDir = options.schemaDir ?? join(builtinTemplatesDir(), "schemas");
    this.#mirrorsDir = options.mirrorsDir;
  }

  async start(request: SessionStartRequest): Promise<SessionHandle> {
    const name = tmuxSessionName(request.runId, request.roleId);
    const existing = await readPane(this.#tmux, `=${name}:`);
    if (existing !== undefined) {
      if (existing.runId !== request.runId) {
        throw new DevflowError(
          `tmux session ${name} on ${this.socketPath} belongs to run ${existing.runId}.`,
          {
            code: "tmux_session_conflict",
            details: { kill: ["tmux", "-S", this.socketPath, "kill-session", "-t", name].join(" ") },
          },
        );
      }
      // A retried start of this very session finds its pane; an older session of the run's role is replaced.
      if (existing.sessionId === request.sessionId && !existing.dead) return handleOf(request, existing);
      await this.#kill(existing);
    }
    const { sessionDir } = request;
    const transcript = join(sessionDir, "transcript.log");
    const egress = await this.#egress.open(request.sessionId, this.#sandbox, (line) =>
      noteTo(transcript, line),
    );
    const env: Record<string, string> = {
      ...this.#env,
      ...(egress && proxyEnvironment()),
      HOME: this.#env.HOME ?? join(sessionDir, "home"),
      DEVFLOW_PROMPT_FILE: promptFilePath(sessionDir),
      DEVFLOW_RUN_ID: request.runId,
      // The pane serves one phase attempt (SessionManager.ensureSession): these stay true all its life.
      ...attemptVariables(request.attempt),
      DEVFLOW_USAGE_FILE: join(this.#env.HOME ?? join(sessionDir, "home"), "devflow-usage.jsonl"),
    };
    await mkdir(sessionDir, { recursive: true });
    await mkdir(env.HOME ?? sessionDir, { recursive: true });
    await mkdir(dirname(this.socketPath), { recursive: true, mode: 0o700 });
    const envFile = join(sessionDir, `agent-env-${randomUUID()}`);
    await writeFile(envFile, envFileText(env), { mode: 0o600 });
    try {
      const target = `=${name}:`;
      const where = ["-s", name, "-x", WINDOW.width, "-y", WINDOW.height, "-c", formatLiteral(request.cwd)];
      const command = await paneCommand(
        {
          settings: this.#sandbox,
          worktree: request.cwd,
          sessionDir,
          home: env.HOME ?? join(sessionDir, "home"),
          schemaDir: this.#schemaDir,
          path: env.PATH,
          ...(egress && { egress }),
          ...(this.#mirrorsDir === undefined ? {} : { mirrorsDir: this.#mirrorsDir }),
        },
        this.#command,
      );
      const launch = paneLaunchArgv(envFile, env, command);
      const created = await this.#tmux.run(
        ["set-option", "-g", "remain-on-exit", "on"], // a TUI that exits leaves its last screen to capture
        ["set-option", "-g", "history-limit", "50000"],
        ["new-session", "-d", "-P", "-F", "#{pane_id}", ...where, "--", ...launch],
        ["set-option", "-t", target, "window-size", "manual"], // watchers never resize the agent's screen
        ["set-option", "-t", target, "@devflow_session_id", request.sessionId],
        ["set-option", "-t", target, "@devflow_run_id", request.runId],
        ["set-option", "-t", target, "@devflow_session_dir", sessionDir],
        ["pipe-pane", "-t", target, formatLiteral(`exec cat >> ${shellQuote(join(sessionDir, "pane.log"))}`)],
      );
      const pane = await readPane(this.#tmux, created.trim());
      if (pane === undefined)
        throw paneNotFound(this.socketPath, request.sessionId, `pane ${created.trim()} vanished`);
      const handle = handleOf(request, pane);
      await this.#note(
        handle,
        `started ${name} (${pane.paneId}, pid ${pane.pid}): ${this.#command.join(" ")}`,
      );
      await this.#awaitReady(handle, envFile).catch(async (error: unknown) => {
        await this.stop(handle);
        throw error;
      });
      return handle;
    } finally {
      await rm(envFile, { force: true });
    }
  }

  sendPrompt(handle: SessionHandle, envelope: PromptEnvelope): Promise<SentPrompt> {
    const key = `${handle.sessionId}\n${envelope.dedupKey}`;
    const known = this.#deliveries.get(key);
    if (known !== undefined) return known;
    const previous = this.#queues.get(handle.sessionId) ?? Promise.resolve();
    const delivery = previous.then(() => this.#deliver(handle, envelope));
    this.#deliveries.set(key, delivery);
    this.#queues.set(
      handle.sessionId,
      delivery.catch(() => undefined),
    );
    delivery.catch(() => this.#deliveries.delete(key)); // a failed delivery may be tried again
    return delivery;
  }

  async resume(handle: SessionHandle): Promise<SessionHandle> {
    const pane = await this.#requirePane(handle);
    if (pane.dead)
      throw paneNotFound(this.socketPath, handle.sessionId, `its agent exited (status ${pane.deadStatus})`);
    return { ...handle, processId: pane.pid };
  }

  async isAlive(handle: SessionHandle): Promise<boolean> {
    const pane = await readPane(this.#tmux, handle.paneId);
    return pane !== undefined && paneBelongsTo(pane, handle) && !pane.dead;
  }

  async capture(handle: SessionHandle): Promise<string | undefined> {
    const pane = await readPane(this.#tmux, handle.paneId);
    if (pane === undefined || !paneBelongsTo(pane, handle)) return handle.transcriptPath;
    const result = await this.#tmux.tryRun(["capture-pane", "-p", "-J", "-S", "-", "-t", pane.paneId]);
    if (result.ok) await this.#note(handle, `capture of ${pane.paneId}\n${result.stdout.trimEnd()}`);
    return handle.transcriptPath;
  }

  /** The pane's output while it lives, for the stored transcript (tmux-pane-stream.ts). */
  watchOutput(handle: SessionHandle, onLines: (lines: string[]) => void, fromStart: boolean) {
    return watchPane(this.#tmux, handle.paneId ?? "", onLines, { fromStart });
  }

  async wasDelivered(handle: SessionHandle, dedupKey: string): Promise<boolean> {
    const pane = await readPane(this.#tmux, handle.paneId);
    return pane !== undefined && paneBelongsTo(pane, handle) && (await wasPasted(pane.sessionDir, dedupKey));
  }

  async stop(handle: SessionHandle): Promise<void> {
    this.#queues.delete(handle.sessionId);
    for (const key of this.#deliveries.keys()) {
      if (key.startsWith(`${handle.sessionId}\n`)) this.#deliveries.delete(key);
    }
    const pane = await readPane(this.#tmux, handle.paneId);
    if (pane?.sessionId === handle.sessionId) await this.#egress.close(handle.sessionId);
    if (pane === undefined || !paneBelongsTo(pane, handle)) return; // stopped already, or replaced
    await this.capture(handle).catch(() => undefined);
    await this.#kill(pane);
    await this.#note(handle, `stopped ${pane.sessionName}`).catch(() => undefined);
  }

  // ------------------------------------------------------------ prompts

  async #deliver(handle: SessionHandle, envelope: PromptEnvelope): Promise<SentPrompt> {
    const sent = { promptId: envelope.dedupKey };
    const pane = await this.#requirePane(handle);
    if (pane.dead) throw await this.#crashed(handle, pane, "session_crashed");
    checkArtifactReachable(this.#sandbox, handle.cwd, envelope);
    // Recorded beside the session, so a worker restarted on this host does not paste a replay again.
    if (await wasPasted(pane.sessionDir, envelope.dedupKey)) return sent;
    await this.#awaitReady(handle); // the TUI is done with the previous prompt (and its file)
    await writePromptFile(pane.sessionDir, envelope);
    const buffer = `devflow-${randomUUID()}`;
    await this.#tmux.loadBuffer(buffer, pasteText(envelope.instructions));
    await this.#tmux.run(["paste-buffer", "-p", "-d", "-b", buffer, "-t", pane.paneId]);
    await sleep(this.#submitDelayMs);
    if (this.#submitKeys.length > 0)
      await this.#tmux.run(["send-keys", "-t", pane.paneId, ...this.#submitKeys]);
    await recordPasted(pane.sessionDir, envelope.dedupKey);
    await this.#note(handle, `pasted prompt ${envelope.dedupKey} (${envelope.expectedSchema})`);
    return sent;
  }

  /** Until the env file was read (start) and the ready pattern shows; throws if the TUI exits or stalls. */
  async #awaitReady(handle: SessionHandle, envFile?: string): Promise<void> {
    const deadline = Date.now() + this.#readyTimeoutMs;
    for (;;) {
      const pane = await this.#requirePane(handle);
      // Dying while starting: the command is missing, or fails before its first screen.
      if (pane.dead)
        throw await this.#crashed(handle, pane, envFile ? "agent_spawn_failed" : "session_crashed");
      const launched = envFile === undefined || !existsSync(envFile);
      const screen = launched && this.#readyPattern ? await this.#screen(pane.paneId) : "";
      if (launched && (this.#readyPattern?.test(screen) ?? true)) return;
      if (Date.now() > deadline) {
        await this.capture(handle);
        const waited = launched ? `showing ${String(this.#readyPattern)}` : "reading its environment";
        const message = `The agent in tmux session ${pane.sessionName} was not ${waited} after ${this.#readyTimeoutMs} ms.`;
        const last = screen || (await this.#screen(pane.paneId).catch(() => ""));
        throw new DevflowError(`${message} Its screen ends:\n${lastLines(last)}`, {
          code: "tmux_not_ready",
          details: { sessionId: handle.sessionId, transcript: handle.transcriptPath },
        });
      }
      await sleep(POLL_MS);
    }
  }

  /** The visible screen; with `history`, the 100 lines above it too. */
  async #screen(paneId: string, history = false): Promise<string> {
    return this.#tmux.run(["capture-pane", "-p", "-J", ...(history ? ["-S", "-100"] : []), "-t", paneId]);
  }

  // ------------------------------------------------------------ panes

  #requirePane(handle: SessionHandle): Promise<PaneInfo> {
    return requirePane(this.#tmux, this.socketPath, handle);
  }

  /** Ends the tmux session, then the pane's process group: SIGTERM, and SIGKILL after the grace period. */
  async #kill(pane: PaneInfo): Promise<void> {
    await this.#tmux.tryRun(["kill-session", "-t", `=${pane.sessionName}`]);
    // A dead pane's pid may since belong to someone else: only a live pane's group is signalled.
    if (!pane.dead) await endProcessGroup(pane.pid, this.#stopGraceMs);
  }

  /** The agent exited: the error quotes the end of its last screen (the pane remains on exit). */
  async #crashed(handle: SessionHandle, pane: PaneInfo, code: ErrorCode): Promise<DevflowError> {
    const screen = await this.#screen(pane.paneId, true).catch(() => "");
    const message = `The agent in tmux session ${pane.sessionName} exited (status ${pane.deadStatus}).`;
    return new DevflowError(`${message} Its screen ends:\n${lastLines(screen)}`, {
      code,
      details: { sessionId: handle.sessionId, transcript: handle.transcriptPath },
    });
  }

  async #note(handle: SessionHandle, text: string): Promise<void> {
    if (handle.transcriptPath !== undefined) await noteTo(handle.transcriptPath, text);
  }
}
