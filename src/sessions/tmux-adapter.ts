// Interactive agent TUIs in detached panes on devflow's own tmux socket (DESIGN §4). One tmux session per
// run and role, named `devflow-<runId8>-<roleId>`, serving one phase attempt; the pane is recorded on the
// tmux session (user options), so a restarted worker finds it again — and starts its egress proxy again
// where the pane's sandbox looks for it. Completion is never read from the screen: the engine waits for
// the artifact file. The parts: tmux-pane-start.ts (a pane and its sandbox), tmux-prompt-paste.ts
// (prompts), tmux-pane-screen.ts (readiness, crashes), tmux-usage.ts (what the TUI reported using).
import type { SandboxKind } from "../config/index.js";
import { DevflowError } from "../errors/index.js";
import { SessionEgresses } from "./egress/session-egress.js";
import type { PromptEnvelope } from "./prompt-envelope.js";
import type {
  PromptUsage,
  SentPrompt,
  SessionAdapter,
  SessionHandle,
  SessionStartRequest,
} from "./session-adapter.js";
import { note, resolveTmuxAgent, type TmuxAgent } from "./tmux-agent.js";
import type { TmuxSessionAdapterOptions } from "./tmux-options.js";
import {
  handleOf,
  noteTo,
  paneBelongsTo,
  paneNotFound,
  readPane,
  requirePane,
  tmuxSessionName,
} from "./tmux-pane-info.js";
import { capturePane } from "./tmux-pane-screen.js";
import { killPane, startPane } from "./tmux-pane-start.js";
import { watchPane } from "./tmux-pane-stream.js";
import { wasPasted } from "./tmux-prompt-files.js";
import { PromptQueue, pastePrompt } from "./tmux-prompt-paste.js";
import { paneUsage } from "./tmux-usage.js";

export type { TmuxSessionAdapterOptions } from "./tmux-options.js";
export { attachCommand } from "./tmux-pane-info.js";

export class TmuxSessionAdapter implements SessionAdapter {
  readonly backend = "tmux";
  /** Whether the agent runs sandboxed; `none` is the operator's explicit choice, said in run reports. */
  readonly sandbox: SandboxKind;
  readonly socketPath: string;
  readonly #agent: TmuxAgent;
  readonly #prompts = new PromptQueue();
  readonly #egress = new SessionEgresses();

  constructor(options: TmuxSessionAdapterOptions) {
    this.#agent = resolveTmuxAgent(options);
    this.sandbox = this.#agent.sandbox.kind;
    this.socketPath = options.socketPath;
  }

  async start(request: SessionStartRequest): Promise<SessionHandle> {
    const name = tmuxSessionName(request.runId, request.roleId);
    const existing = await readPane(this.#agent.tmux, `=${name}:`);
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
      await killPane(this.#agent, existing);
    }
    const transcript = `${request.sessionDir}/transcript.log`;
    const egress = await this.#egress.open(request.sessionId, this.#agent.sandbox, (line) =>
      noteTo(transcript, line),
    );
    return startPane(this.#agent, request, egress, (handle) => this.stop(handle));
  }

  sendPrompt(handle: SessionHandle, envelope: PromptEnvelope): Promise<SentPrompt> {
    return this.#prompts.send(handle.sessionId, envelope.dedupKey, () =>
      pastePrompt(this.#agent, handle, envelope),
    );
  }

  /**
   * Finds the session's live pane (started by an earlier worker on this host) and, for an agent with a
   * network allowlist, starts its egress proxy again in the directory the pane's sandbox shows.
   */
  async resume(handle: SessionHandle): Promise<SessionHandle> {
    const pane = await requirePane(this.#agent.tmux, this.socketPath, handle);
    if (pane.dead)
      throw paneNotFound(this.socketPath, handle.sessionId, `its agent exited (status ${pane.deadStatus})`);
    if (pane.egressDir !== "") {
      const transcript = handle.transcriptPath ?? `${pane.sessionDir}/transcript.log`;
      const noteLine = (line: string) => noteTo(transcript, line);
      await this.#egress
        .open(handle.sessionId, this.#agent.sandbox, noteLine, pane.egressDir)
        .catch((error: unknown) => {
          throw paneNotFound(
            this.socketPath,
            handle.sessionId,
            `its egress proxy cannot listen again in ${pane.egressDir} (${(error as Error).message})`,
          );
        });
      await note(handle, `resumed ${pane.sessionName}: its egress proxy listens again`);
    }
    return { ...handle, processId: pane.pid };
  }

  async isAlive(handle: SessionHandle): Promise<boolean> {
    const pane = await readPane(this.#agent.tmux, handle.paneId);
    return pane !== undefined && paneBelongsTo(pane, handle) && !pane.dead;
  }

  async capture(handle: SessionHandle): Promise<string | undefined> {
    const pane = await readPane(this.#agent.tmux, handle.paneId);
    if (pane !== undefined && paneBelongsTo(pane, handle)) await capturePane(this.#agent, handle, pane);
    return handle.transcriptPath;
  }

  /** The pane's output while it lives, for the stored transcript (tmux-pane-stream.ts). */
  watchOutput(handle: SessionHandle, onLines: (lines: string[]) => void, fromStart: boolean) {
    return watchPane(this.#agent.tmux, handle.paneId ?? "", onLines, { fromStart });
  }

  async wasDelivered(handle: SessionHandle, dedupKey: string): Promise<boolean> {
    const pane = await readPane(this.#agent.tmux, handle.paneId);
    return pane !== undefined && paneBelongsTo(pane, handle) && (await wasPasted(pane.sessionDir, dedupKey));
  }

  /**
   * What the pane's attempt has used so far (its usage file; a Claude TUI's own conversation record),
   * waiting up to `waitMs` for the TUI's turn to end. The totals of the whole attempt each time: stored
   * under the attempt's first prompt, a later call replaces them.
   */
  async takeUsage(handle: SessionHandle, waitMs: number): Promise<PromptUsage[]> {
    const pane = await readPane(this.#agent.tmux, handle.paneId);
    if (pane === undefined || !paneBelongsTo(pane, handle)) return [];
    return paneUsage(this.#agent, pane, waitMs);
  }

  async stop(handle: SessionHandle): Promise<void> {
    this.#prompts.forget(handle.sessionId);
    const pane = await readPane(this.#agent.tmux, handle.paneId);
    if (pane?.sessionId === handle.sessionId) await this.#egress.close(handle.sessionId);
    if (pane === undefined || !paneBelongsTo(pane, handle)) return; // stopped already, or replaced
    await capturePane(this.#agent, handle, pane).catch(() => undefined);
    await killPane(this.#agent, pane);
    await note(handle, `stopped ${pane.sessionName}`).catch(() => undefined);
  }
}
