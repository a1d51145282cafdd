// A tmux agent's settings as the tmux adapter's parts use them: the operator's options
// (TmuxSessionAdapterOptions) resolved once, with devflow's tmux client on its own socket.
import { join } from "node:path";
import type { HomeSeed } from "../config/index.js";
import { type SandboxSettings, sandboxSettings } from "../config/index.js";
import { DevflowError } from "../errors/index.js";
import { builtinTemplatesDir } from "../registry/index.js";
import type { SessionHandle } from "./session-adapter.js";
import type { ModelPrices } from "./streams/index.js";
import { TmuxClient } from "./tmux-client.js";
import type { TmuxSessionAdapterOptions } from "./tmux-options.js";
import { noteTo } from "./tmux-pane-info.js";
import { checkAgentEnvironment } from "./tmux-pane-launch.js";

export interface TmuxAgent {
  readonly tmux: TmuxClient;
  readonly socketPath: string;
  readonly command: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  readonly readyPattern: RegExp | undefined;
  readonly submitKeys: readonly string[];
  readonly readyTimeoutMs: number;
  readonly submitDelayMs: number;
  readonly stopGraceMs: number;
  readonly sandbox: SandboxSettings;
  readonly schemaDir: string;
  readonly mirrorsDir: string | undefined;
  readonly homeSeed: HomeSeed | undefined;
  /** The TUI whose own conversation record in its HOME gives its usage (see tmux-usage.ts). */
  readonly conversationLog: TmuxSessionAdapterOptions["conversationLog"];
  readonly prices: ModelPrices | undefined;
}

export function resolveTmuxAgent(options: TmuxSessionAdapterOptions): TmuxAgent {
  if (options.command.length === 0) {
    throw new DevflowError("A tmux agent needs a command to run in its pane; the preset gave none.", {
      code: "invalid_server_config",
    });
  }
  checkAgentEnvironment(options.env);
  // Without g or y, so that test() does not depend on where an earlier call stopped.
  const ready = options.readyPattern;
  return {
    tmux: new TmuxClient(options.socketPath),
    socketPath: options.socketPath,
    command: [...options.command],
    env: { ...options.env },
    readyPattern: ready && new RegExp(ready.source, ready.flags.replace(/[gy]/g, "")),
    submitKeys: options.submitKeys ?? ["Enter"],
    readyTimeoutMs: options.readyTimeoutMs ?? 60_000,
    submitDelayMs: options.submitDelayMs ?? 150,
    stopGraceMs: options.stopGraceMs ?? 2_000,
    sandbox: sandboxSettings(options.sandbox),
    schemaDir: options.schemaDir ?? join(builtinTemplatesDir(), "schemas"),
    mirrorsDir: options.mirrorsDir,
    homeSeed: options.homeSeed,
    conversationLog: options.conversationLog,
    prices: options.prices,
  };
}

/** Appends a devflow line to the session's transcript. */
export async function note(handle: SessionHandle, text: string): Promise<void> {
  if (handle.transcriptPath !== undefined) await noteTo(handle.transcriptPath, text);
}
