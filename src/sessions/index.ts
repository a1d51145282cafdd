// The public face of src/sessions/: what other folders may import (docs/architecture.md).
export { createSessionAdapter } from "./create-session-adapter.js";
export { agentLaunch } from "./presets/index.js";
export { type PromptEnvelope, promptDedupKey } from "./prompt-envelope.js";
export type { HostSessionsReport } from "./recover-host-sessions.js";
export { bwrapOnPath, trySandbox } from "./sandbox-check.js";
export type { SessionAdapter, SessionHandle } from "./session-adapter.js";
export { SessionManager } from "./session-manager.js";
export type { AgentCommand, CommandList, PhaseUsage, UsageSource } from "./streams/index.js";
export { attachCommand } from "./tmux-adapter.js";
export { TmuxClient } from "./tmux-client.js";
export { readPane, tmuxSessionName } from "./tmux-pane-info.js";
