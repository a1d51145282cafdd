// Claude Code (`@anthropic-ai/claude-code`). Flags checked against `claude --help` of 2.1.197
// (test/sessions/presets.test.ts) and https://docs.claude.com/en/docs/claude-code/headless.
// - `--print` is the headless one-shot mode; with no prompt argument it reads the prompt from stdin.
// - `--output-format stream-json --verbose` (stream-json requires --verbose with --print): one JSON event
//   per line, read by src/sessions/streams/claude-stream.ts into the transcript and the phase's usage
//   and cost (its `result` event has `total_cost_usd`).
// - `--permission-mode acceptEdits`: file edits are accepted without asking, other tools (Bash) still
//   need a permission that nobody can give headless, so they are refused. The agent runs on the worker
//   host, not in a sandbox: `--dangerously-skip-permissions` / `bypassPermissions` ("recommended only
//   for sandboxes with no internet access", and refused when running as root) stay the operator's
//   explicit choice via extraArgs, as do narrower grants such as `--allowedTools "Bash(npm test:*)"`.
// - `--add-dir` (one directory per flag: the option is variadic): the artifact is written outside the
//   worktree and its schema is read from the registry, and Claude confines its tools to its
//   working directories.
// Credentials: ANTHROPIC_API_KEY, or CLAUDE_CODE_OAUTH_TOKEN made by `claude setup-token`.
import type { AgentPreset } from "./agent-preset.js";

const workingDirectories = ["--add-dir", "{artifactDir}", "--add-dir", "{schemaDir}"];

export const claudePreset: AgentPreset = {
  name: "claude",
  exec: {
    argv: [
      "claude",
      "--print",
      ...workingDirectories,
      "--output-format",
      "stream-json",
      "--verbose",
      "--permission-mode",
      "acceptEdits",
    ],
    promptVia: "stdin",
  },
  tmux: { argv: ["claude", ...workingDirectories, "--permission-mode", "acceptEdits"] },
  apiKeyVariables: ["ANTHROPIC_API_KEY", "CLAUDE_CODE_OAUTH_TOKEN"],
  defaultAllow: ["api.anthropic.com"],
};
