// How the operator (through createSessionAdapter) and the tests configure the tmux adapter.
import type { HomeSeed, SandboxSettings } from "../config/index.js";
import type { ModelPrices } from "./streams/index.js";

export interface TmuxSessionAdapterOptions {
  /** devflow's own tmux socket (under the data directory), never the user's default server. */
  readonly socketPath: string;
  /** The TUI's argv, from the agent's preset. */
  readonly command: readonly string[];
  /** The scrubbed agent environment: the pane gets exactly this, plus DEVFLOW_PROMPT_FILE and DEVFLOW_RUN_ID. */
  readonly env: Readonly<Record<string, string>>;
  /** Text on the pane's screen that shows the TUI is ready for input; awaited before start returns and before each paste. */
  readonly readyPattern?: RegExp;
  /** tmux key names sent after the paste; default ["Enter"]. */
  readonly submitKeys?: readonly string[];
  /** How long start and sendPrompt wait for the TUI to be ready; default 60 s. */
  readonly readyTimeoutMs?: number;
  /** Pause between the paste and the submit keys, so the TUI has taken the paste in; default 150 ms. */
  readonly submitDelayMs?: number;
  /** How long stop lets the pane's processes end after SIGTERM before SIGKILL; default 2 s. */
  readonly stopGraceMs?: number;
  /** The sandbox the pane's command runs in; default bubblewrap with the default settings. */
  readonly sandbox?: Partial<SandboxSettings>;
  /** The artifact schemas, shown read-only in the sandbox; default the built-in templates' schemas. */
  readonly schemaDir?: string;
  /** devflow's repository mirrors: a worktree's repository is shown to the agent only from there. */
  readonly mirrorsDir?: string;
  /** The operator's files for each new session HOME (server config `home`). */
  readonly homeSeed?: HomeSeed;
  /** `claude`: the TUI keeps its conversation in its HOME (Claude Code's JSONL), read for usage. */
  readonly conversationLog?: "claude";
  /** The operator's price table, for usage that comes without a cost. */
  readonly prices?: ModelPrices;
}
