// `command`: any program the operator names (DESIGN §4). It gets exactly the agent contract: cwd = the
// worktree, the prompt on stdin (or as an argument or file path, if the operator says so), the
// DEVFLOW_* variables, and only the pass-through variables the operator named.
import type { AgentPreset, PromptVia } from "./agent-preset.js";

export function commandPreset(
  command: readonly string[],
  promptVia: PromptVia = "stdin",
  /** Mode tmux: what its screen shows when it takes a prompt (the server config's `readyPattern`). */
  readyPattern?: string,
): AgentPreset {
  return {
    name: "command",
    exec: { argv: command, promptVia },
    tmux: { argv: command, ...(readyPattern ? { readyPattern: new RegExp(readyPattern) } : {}) },
    apiKeyVariables: [],
    defaultAllow: [],
  };
}
