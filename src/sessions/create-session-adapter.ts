import { join } from "node:path";
import type { AgentConfig } from "../config/server-config.js";
import { FakeSessionAdapter } from "./fake-adapter.js";
import type { SessionAdapter } from "./session-adapter.js";

/** The adapter for an operator-defined agent. Real CLIs (tmux, exec) arrive with their presets. */
export function createSessionAdapter(agent: AgentConfig, dataDir: string): SessionAdapter {
  switch (agent.preset) {
    case "fake":
      // Recorded on disk and working in a detached process: a restarted worker resumes the session.
      return new FakeSessionAdapter({
        writeDelayMs: agent.writeDelayMs,
        stateDir: join(dataDir, "fake-sessions"),
        detachedWork: true,
      });
  }
}
