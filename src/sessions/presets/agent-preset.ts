// What devflow knows about an agent CLI: how to run it headless (exec) and as an interactive TUI
// (tmux), how the prompt reaches it, and which of its own API-key variables it needs.
import { dirname } from "node:path";
import type { PromptVia, SandboxLimits } from "../../config/index.js";
import type { PromptEnvelope } from "../prompt-envelope.js";

export {
  AGENT_MODES,
  type AgentMode,
  CLI_PRESETS,
  type CliPresetName,
  PROMPT_VIA,
  type PromptVia,
} from "../../config/index.js";

export interface AgentPreset {
  readonly name: string;
  readonly exec: {
    /** argv before the operator's extraArgs; may hold ARGV_PLACEHOLDERS. */
    readonly argv: readonly string[];
    /** Appended to argv: what the agent may do without asking, in devflow's sandbox and without it. */
    readonly permissions?: Permissions;
    readonly promptVia: PromptVia;
    /** argv after the operator's extraArgs, just before the prompt (arg) or its path (file). */
    readonly trailingArgs?: readonly string[];
  };
  /** The interactive TUI; the prompt is pasted into its pane. Only {artifactDir} and {schemaDir} here. */
  readonly tmux: {
    readonly argv: readonly string[];
    readonly permissions?: Permissions;
    /** What its screen shows when it takes input: awaited before each paste. */
    readonly readyPattern?: RegExp;
    /** The conversation record it keeps in its HOME, read for its usage (see src/sessions/tmux-usage.ts). */
    readonly conversationLog?: "claude";
  };
  /** Variables devflow sets for the CLI (quiet start, no vendor calls besides the model's). */
  readonly env?: Readonly<Record<string, string>>;
  /** Set besides `env` when the agent runs in devflow's sandbox. */
  readonly sandboxedEnv?: Readonly<Record<string, string>>;
  /** The CLI's own credentials, passed through to it when set (besides the operator's passThrough). */
  readonly apiKeyVariables: readonly string[];
  /** The hosts its sandbox may reach when the operator's config names none: its vendor's model API. */
  readonly defaultAllow: readonly string[];
  /**
   * What its runtime needs at least, over the server's `sandbox.limits` (an agent's own `limits` still
   * decide): e.g. the address space V8 reserves for WebAssembly far beyond what it uses.
   */
  readonly sandboxLimits?: Partial<SandboxLimits>;
}

/**
 * A CLI's permission flags. `sandboxed`: every tool, commands included, without asking — devflow's
 * sandbox is the boundary. `unsandboxed` (sandbox: none): edits only, the agent runs as devflow's user.
 */
export interface Permissions {
  readonly sandboxed: readonly string[];
  readonly unsandboxed: readonly string[];
}

/**
 * Placeholders an argv may hold, replaced wherever they occur in an argument: the directories (and
 * files) of the artifact to write and of its JSON Schema. The artifact lives outside the worktree
 * (`<workspace>/<run>/artifacts/`), so CLIs that confine edits to their working directory must be told.
 */
export interface ArgvValues {
  readonly artifactDir: string;
  readonly artifactPath: string;
  readonly schemaDir: string;
  readonly schemaPath: string;
}

export const ARGV_PLACEHOLDERS = ["{artifactDir}", "{artifactPath}", "{schemaDir}", "{schemaPath}"] as const;

export function argvValuesOf(envelope: PromptEnvelope): ArgvValues {
  return {
    artifactDir: dirname(envelope.expectedArtifact),
    artifactPath: envelope.expectedArtifact,
    schemaDir: dirname(envelope.expectedSchemaPath),
    schemaPath: envelope.expectedSchemaPath,
  };
}

/** `argv` with every placeholder replaced; any other text (braces included) is left as it is. */
export function expandArgv(argv: readonly string[], values: Partial<ArgvValues>): string[] {
  return argv.map((arg) =>
    arg.replace(/\{(artifactDir|artifactPath|schemaDir|schemaPath)\}/g, (token, name: keyof ArgvValues) => {
      const value = values[name];
      return value === undefined ? token : value;
    }),
  );
}
