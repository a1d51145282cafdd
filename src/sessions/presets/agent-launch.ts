// From an operator's agent (server config) to what an adapter runs: argv, how the prompt goes in, and
// the variables passed through.

import type { SandboxKind, SandboxLimits, SandboxNetwork } from "../../config/index.js";
import type { AgentMode, AgentPreset, CliPresetName, Permissions, PromptVia } from "./agent-preset.js";
import { aiderPreset } from "./aider.js";
import { claudePreset } from "./claude.js";
import { codexPreset } from "./codex.js";
import { commandPreset } from "./command.js";
import { geminiPreset } from "./gemini.js";

export const PRESETS: Readonly<Record<CliPresetName, AgentPreset>> = {
  claude: claudePreset,
  codex: codexPreset,
  gemini: geminiPreset,
  aider: aiderPreset,
};

/** An agent of the server config other than `fake` (the shape of its validated entry). */
export type LaunchableAgent =
  | {
      readonly preset: CliPresetName;
      readonly mode: AgentMode;
      readonly passThrough?: readonly string[];
      readonly extraArgs?: readonly string[];
      readonly network?: SandboxNetwork;
      /** Default bubblewrap, as in the server config. */
      readonly sandbox?: SandboxKind;
      readonly limits?: Partial<SandboxLimits>;
    }
  | {
      readonly preset: "command";
      readonly command: readonly string[];
      readonly mode: AgentMode;
      readonly passThrough?: readonly string[];
      readonly promptVia?: PromptVia;
      /** Mode tmux: a regular expression its screen matches once it takes a prompt. */
      readonly readyPattern?: string;
      readonly network?: SandboxNetwork;
      readonly sandbox?: SandboxKind;
      readonly limits?: Partial<SandboxLimits>;
    };

export type AgentLaunch =
  | {
      readonly mode: "exec";
      /** The whole argv; with promptVia `arg` or `file` the adapter appends the prompt or its path. */
      readonly argv: readonly string[];
      readonly promptVia: PromptVia;
      readonly passThrough: readonly string[];
      /** Variables devflow sets for the CLI (its preset's), besides the scrubbed environment. */
      readonly env: Readonly<Record<string, string>>;
    }
  | {
      readonly mode: "tmux";
      readonly argv: readonly string[];
      readonly passThrough: readonly string[];
      readonly env: Readonly<Record<string, string>>;
      readonly readyPattern?: RegExp;
      readonly conversationLog?: "claude";
    };

/**
 * How to run `agent`: the preset's argv for its mode, its permission flags for the agent's sandbox
 * (full tools inside devflow's sandbox, edits only without it), the operator's extraArgs (exec:
 * before the preset's trailing arguments), the preset's API-key variables plus the operator's
 * passThrough, and the variables the preset sets.
 */
export function agentLaunch(agent: LaunchableAgent): AgentLaunch {
  const preset =
    agent.preset === "command"
      ? commandPreset(agent.command, agent.promptVia, agent.readyPattern)
      : PRESETS[agent.preset];
  const extraArgs = agent.preset === "command" ? [] : (agent.extraArgs ?? []);
  const passThrough = [...new Set([...preset.apiKeyVariables, ...(agent.passThrough ?? [])])];
  const sandboxed = (agent.sandbox ?? "bubblewrap") !== "none";
  const permitted = (permissions: Permissions | undefined) =>
    (sandboxed ? permissions?.sandboxed : permissions?.unsandboxed) ?? [];
  const env = { ...preset.env, ...(sandboxed ? preset.sandboxedEnv : {}) };
  if (agent.mode === "tmux") {
    const { tmux } = preset;
    const argv = [...tmux.argv, ...permitted(tmux.permissions), ...extraArgs];
    return {
      mode: "tmux",
      argv,
      passThrough,
      env,
      ...(tmux.readyPattern && { readyPattern: tmux.readyPattern }),
      ...(tmux.conversationLog && { conversationLog: tmux.conversationLog }),
    };
  }
  const { exec } = preset;
  const argv = [...exec.argv, ...permitted(exec.permissions), ...extraArgs, ...(exec.trailingArgs ?? [])];
  return { mode: "exec", argv, promptVia: exec.promptVia, passThrough, env };
}

/**
 * What `agent`'s sandbox may reach: the operator's `network`, else its preset's model API (a `command`
 * agent: nothing).
 */
export function agentNetwork(agent: LaunchableAgent): SandboxNetwork {
  if (agent.network !== undefined) return agent.network;
  if (agent.preset === "command") return "none";
  const allow = PRESETS[agent.preset].defaultAllow;
  return allow.length === 0 ? "none" : { allow };
}

/**
 * `agent`'s sandbox limits: the server's `sandbox.limits`, raised to what its preset's runtime needs at
 * least (Gemini's address space), then the agent's own `limits` over both.
 */
export function agentLimits(agent: LaunchableAgent, server: SandboxLimits): SandboxLimits {
  const needs = agent.preset === "command" ? {} : (PRESETS[agent.preset].sandboxLimits ?? {});
  const raised = { ...server };
  for (const [key, value] of Object.entries(needs) as [keyof SandboxLimits, number][])
    raised[key] = Math.max(raised[key], value);
  return { ...raised, ...agent.limits };
}
