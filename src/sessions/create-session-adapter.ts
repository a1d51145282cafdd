import { join } from "node:path";
import type { AgentConfig } from "../config/server-config.js";
import { DevflowError } from "../errors/index.js";
import { ExecSessionAdapter } from "./exec-adapter.js";
import { FakeSessionAdapter } from "./fake-adapter.js";
import { agentLaunch } from "./presets/index.js";
import type { SessionAdapter } from "./session-adapter.js";

/** The adapter for an operator-defined agent. */
export function createSessionAdapter(agent: AgentConfig, dataDir: string): SessionAdapter {
  if (agent.preset === "fake") {
    // Recorded on disk and working in a detached process: a restarted worker resumes the session.
    return new FakeSessionAdapter({
      writeDelayMs: agent.writeDelayMs,
      stateDir: join(dataDir, "fake-sessions"),
      detachedWork: true,
    });
  }
  const launch = agentLaunch(agent);
  if (launch.mode === "exec") {
    return new ExecSessionAdapter({
      command: [...launch.argv],
      promptVia: launch.promptVia,
      passThrough: [...launch.passThrough],
    });
  }
  throw new DevflowError(`The ${agent.preset} agent's tmux mode is not wired into the server yet.`, {
    code: "invalid_server_config",
    recoveryHint: "Use `mode: exec` for this agent for now.",
  });
}
