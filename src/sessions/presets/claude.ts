// Claude Code (`@anthropic-ai/claude-code`). Flags checked against `claude --help` of 2.1.197
// (test/sessions/presets.test.ts) and https://docs.claude.com/en/docs/claude-code/headless.
// - `--print` is the headless one-shot mode; with no prompt argument it reads the prompt from stdin.
// - `--output-format stream-json --verbose` (stream-json requires --verbose with --print): one JSON event
//   per line, read by src/sessions/streams/claude-stream.ts into the transcript and the phase's usage
//   and cost (its `result` event has `total_cost_usd`).
// - In devflow's sandbox (the default): `--permission-mode bypassPermissions`, every tool (Bash too)
//   without asking — "recommended only for sandboxes with no internet access", which devflow's is (its
//   network is the egress proxy's allowlist). Claude refuses it as root unless IS_SANDBOX=1 is set.
// - With `sandbox: none`: `--permission-mode acceptEdits`, edits only; other tools need a permission
//   nobody can give headless, so they are refused (narrower grants via extraArgs, e.g.
//   `--allowedTools "Bash(npm test:*)"`).
// - CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC / _OFFICIAL_MARKETPLACE_AUTOINSTALL: no calls besides the model's.
// - `--add-dir` (one directory per flag: the option is variadic): the artifact is written outside the
//   worktree and its schema is read from the registry, and Claude confines its tools to its
//   working directories.
// - TUI (tmux): ready when its input box's footer shows; it keeps each conversation in its HOME
//   (~/.claude/projects/<dir>/<session>.jsonl, every response with its usage), which devflow reads for
//   the phase's usage (src/sessions/streams/claude-tui-log.ts). A new HOME needs `.claude.json` with its
//   onboarding done, the API key's last 20 characters approved and the folders trusted (server config
//   `home.files`), else its first-run dialogs wait for a human.
// Credentials: ANTHROPIC_API_KEY, or CLAUDE_CODE_OAUTH_TOKEN made by `claude setup-token`.
import type { AgentPreset } from "./agent-preset.js";

const permissions = {
  sandboxed: ["--permission-mode", "bypassPermissions"],
  unsandboxed: ["--permission-mode", "acceptEdits"],
};
const workingDirectories = ["--add-dir", "{artifactDir}", "--add-dir", "{schemaDir}"];

export const claudePreset: AgentPreset = {
  name: "claude",
  exec: {
    argv: ["claude", "--print", ...workingDirectories, "--output-format", "stream-json", "--verbose"],
    permissions,
    promptVia: "stdin",
  },
  tmux: {
    argv: ["claude", ...workingDirectories],
    permissions,
    // Its input box's footer, once it takes input (not during start-up or a first-run dialog): the
    // permission mode's "(shift+tab to cycle)", or "? for shortcuts" in the default mode.
    readyPattern: /\(shift\+tab to cycle\)|\? for shortcuts/,
    conversationLog: "claude",
  },
  env: {
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
    CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: "1",
  },
  // Claude refuses bypassPermissions as root unless told it is in a sandbox; in devflow's it is.
  sandboxedEnv: { IS_SANDBOX: "1" },
  apiKeyVariables: ["ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN"],
  defaultAllow: ["api.anthropic.com"],
};
