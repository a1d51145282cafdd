import type { SandboxKind } from "../config/index.js";
import type { PromptEnvelope } from "./prompt-envelope.js";
import type { CommandList } from "./streams/command-log.js";
import type { PhaseUsage } from "./streams/phase-usage.js";

/** Where and how to start an agent session (one per run and role at a time, serving one phase attempt). */
export interface SessionStartRequest {
  readonly sessionId: string;
  readonly runId: string;
  readonly roleId: string;
  /** The agent name from the operator's config (`fake` for the fake adapter). */
  readonly agent: string;
  /** The run's worktree: the agent's cwd. */
  readonly cwd: string;
  /** Directory for this session's transcript and private HOME. */
  readonly sessionDir: string;
  /** The one phase attempt this session serves (its contract variables, fixed in a tmux pane at start). */
  readonly attempt?: SessionAttempt;
}

/** A phase attempt as its agent's contract variables name it (DEVFLOW_PHASE, DEVFLOW_ATTEMPT, …). */
export interface SessionAttempt {
  readonly phaseKey: string;
  readonly attempt: number;
  /** Absolute path of the artifact JSON ($DEVFLOW_ARTIFACT_PATH). */
  readonly artifactPath: string;
  /** Absolute path of the artifact type's JSON Schema file ($DEVFLOW_ARTIFACT_SCHEMA). */
  readonly artifactSchemaPath: string;
}

/** The attempt's contract variables (none without an attempt). */
export function attemptVariables(attempt: SessionAttempt | undefined): Record<string, string> {
  if (!attempt) return {};
  return {
    DEVFLOW_ARTIFACT_PATH: attempt.artifactPath,
    DEVFLOW_ARTIFACT_SCHEMA: attempt.artifactSchemaPath,
    DEVFLOW_PHASE: attempt.phaseKey,
    DEVFLOW_ATTEMPT: String(attempt.attempt),
  };
}

/** What an adapter returns and devflow stores, so another process on this host can resume it. */
export interface SessionHandle {
  readonly sessionId: string;
  readonly runId: string;
  readonly roleId: string;
  readonly backend: string;
  readonly cwd: string;
  /** tmux pane id, or the adapter's own reference. */
  readonly paneId?: string;
  readonly processId?: number;
  readonly transcriptPath?: string;
}

/** The usage one prompt of a phase attempt reported. */
export interface PromptUsage {
  readonly phaseKey: string;
  readonly attempt: number;
  /** The prompt within the attempt (0 first). */
  readonly prompt: number;
  readonly usage: PhaseUsage;
  /** The shell commands the prompt's agent ran, as its CLI's stream told them (stream usage only). */
  readonly commands?: CommandList;
}

export interface SentPrompt {
  readonly promptId: string;
}

/** A session's output being streamed (SessionAdapter.watchOutput). */
export interface OutputWatch {
  /** Stops streaming; with `final` (default) it first hands over what the session shows last. */
  finish(final?: boolean): Promise<void>;
}

/**
 * Drives one kind of agent session (DESIGN §4). Implementations: `fake` (tests and demos), `tmux`
 * and `exec` (real agent CLIs). Completion is never read from the screen: the engine waits for the
 * artifact file the envelope names.
 */
export interface SessionAdapter {
  readonly backend: string;
  /** How the agent's processes are isolated (exec, tmux); absent for an in-process agent (fake). */
  readonly sandbox?: SandboxKind;
  start(request: SessionStartRequest): Promise<SessionHandle>;
  sendPrompt(handle: SessionHandle, envelope: PromptEnvelope): Promise<SentPrompt>;
  /**
   * Re-attaches to a session started by an earlier process on this host. Throws a DevflowError
   * (class `recoverable` when trying again may help) when the session cannot be resumed.
   */
  resume(handle: SessionHandle): Promise<SessionHandle>;
  /**
   * Whether the session can still work (its pane or process is alive). Polled while devflow waits for
   * an artifact, so a dead agent fails its attempt at once instead of at the phase timeout.
   */
  isAlive(handle: SessionHandle): Promise<boolean>;
  /**
   * Whether the session received the prompt with this dedupKey (adapters that can tell). devflow records
   * a prompt before sending it; a worker killed in between leaves a prompt the agent never got, which a
   * restarted worker then sends (once) instead of waiting for the phase timeout.
   */
  wasDelivered?(handle: SessionHandle, dedupKey: string): Promise<boolean>;
  /** How a one-shot session ended (exit code or signal, last lines of output), for failure reasons. */
  lastExit?(
    handle: SessionHandle,
  ): { code: number | null; signal: string | null; tail: readonly string[] } | undefined;
  /**
   * What the session's prompts consumed, as their agent reported it (stream, usage file, a TUI's own
   * record). exec: each ended prompt's usage, taken once; waits up to `waitMs` for the current prompt's
   * process to end (its usage comes last). tmux: the attempt's totals so far, as its first prompt,
   * each time (stored by phase, attempt, prompt and source, so a later call replaces an earlier one);
   * waits up to `waitMs` for the TUI's turn to end.
   */
  takeUsage?(handle: SessionHandle, waitMs: number): Promise<PromptUsage[]>;
  /**
   * What the session's prompts have reported so far, the running one's included, without taking it:
   * each prompt's usage to date (cumulative, one entry per prompt and source). Read while the agent
   * works, so its budget is checked as it spends, not only when it ends.
   */
  usageSoFar?(handle: SessionHandle): Promise<PromptUsage[]>;
  /**
   * Streams what the session shows, as it works, to `onLines` (adapters whose agents have no output
   * stream of their own: tmux panes), until the watch is finished. `fromStart`: a session this process
   * just started (else: from what it shows now, as for a session resumed after a restart).
   */
  watchOutput?(handle: SessionHandle, onLines: (lines: string[]) => void, fromStart: boolean): OutputWatch;
  /** Appends what the session shows now to its transcript; returns the transcript path. */
  capture(handle: SessionHandle): Promise<string | undefined>;
  /** Ends the session and everything it started (its process group). Idempotent. */
  stop(handle: SessionHandle): Promise<void>;
}
