import { mkdirSync } from "node:fs";
import { join } from "node:path";
import type { AgentConfig, InputLimits } from "../config/index.js";
import { DEFAULT_SANDBOX, type SandboxSettings } from "../config/index.js";
import { builtinTemplatesDir } from "../registry/index.js";
import { buildAgentEnvironment } from "./agent-environment.js";
import { ExecSessionAdapter } from "./exec-adapter.js";
import { FakeSessionAdapter } from "./fake-adapter.js";
import { agentLaunch, agentLimits, agentNetwork, expandArgv } from "./presets/index.js";
import { checkSandboxSettings } from "./sandbox.js";
import { bwrapOnPath } from "./sandbox-check.js";
import { sandboxUnavailable } from "./sandbox-ownership.js";
import { checkHomeSeed } from "./seed-home.js";
import type { SessionAdapter } from "./session-adapter.js";
import { type ModelPrices, STREAM_PARSERS, type StreamParserName } from "./streams/index.js";
import { TmuxSessionAdapter } from "./tmux-adapter.js";

/**
 * The adapter for an operator-defined agent, in the sandbox the server config gives it. Throws
 * `sandbox_unavailable` when bubblewrap is missing for a sandboxed agent (devflow refuses to start
 * rather than run it unsandboxed), `invalid_server_config` for sandbox settings that would show it
 * devflow's data directory.
 */
export function createSessionAdapter(
  agent: AgentConfig,
  dataDir: string,
  sandboxConfig: Omit<SandboxSettings, "kind" | "network"> = DEFAULT_SANDBOX,
  limits?: InputLimits,
  prices?: ModelPrices,
  /** Where an exec or fake agent's output goes as it is produced (devflow stores it in Postgres). */
  onOutput?: (sessionId: string, lines: string[]) => void,
): SessionAdapter {
  if (agent.preset === "fake") {
    // Recorded on disk and working in a detached process: a restarted worker resumes the session.
    return new FakeSessionAdapter({
      writeDelayMs: agent.writeDelayMs,
      stateDir: join(dataDir, "fake-sessions"),
      detachedWork: true,
      ...(onOutput && { onOutput }),
    });
  }
  const sandbox: SandboxSettings = {
    ...sandboxConfig,
    kind: agent.sandbox,
    network: agentNetwork(agent),
    limits: agentLimits(agent, sandboxConfig.limits),
  };
  checkSandboxSettings(sandbox, [dataDir]);
  if (sandbox.kind === "bubblewrap" && bwrapOnPath(process.env.PATH) === undefined)
    throw sandboxUnavailable();
  checkHomeSeed(agent.home);
  const mirrorsDir = join(dataDir, "mirrors");
  const launch = agentLaunch(agent);
  if (launch.mode === "exec") {
    return new ExecSessionAdapter({
      command: [...launch.argv],
      promptVia: launch.promptVia,
      passThrough: [...launch.passThrough],
      presetEnv: launch.env,
      ...(isStreamPreset(agent.preset) && { stream: agent.preset }),
      ...(prices && { prices }),
      sandbox,
      mirrorsDir,
      ...(agent.home && { homeSeed: agent.home }),
      ...(limits && { limits }),
      ...(onOutput && { onOutput }),
    });
  }
  // A pane's environment is fixed when it starts: only session-stable values go in (the adapter adds
  // DEVFLOW_PROMPT_FILE, DEVFLOW_RUN_ID and a HOME per session); per-prompt values are in the prompt file.
  const { HOME: _home, ...env } = buildAgentEnvironment({
    home: dataDir,
    passThrough: [...launch.passThrough],
    presetEnv: launch.env,
    contract: {},
  });
  mkdirSync(join(dataDir, "tmux"), { recursive: true, mode: 0o700 });
  return new TmuxSessionAdapter({
    socketPath: join(dataDir, "tmux", "devflow.sock"),
    command: expandArgv(launch.argv, {
      artifactDir: join(dataDir, "workspaces"),
      schemaDir: join(builtinTemplatesDir(), "schemas"),
    }),
    env,
    sandbox,
    mirrorsDir,
    ...(launch.readyPattern && { readyPattern: launch.readyPattern }),
    ...(launch.conversationLog && { conversationLog: launch.conversationLog }),
    ...(agent.home && { homeSeed: agent.home }),
    ...(prices && { prices }),
  });
}

/** Whether the preset's exec mode prints a JSON event stream devflow reads (claude, codex, gemini). */
function isStreamPreset(preset: string): preset is StreamParserName {
  return (STREAM_PARSERS as readonly string[]).includes(preset);
}
