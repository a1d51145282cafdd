// Codex CLI (`@openai/codex`). Flags checked against `codex exec --help` and `codex --help` of 0.171.0
// (test/sessions/presets.test.ts) and https://developers.openai.com/codex/noninteractive.
// - `codex exec` is the non-interactive mode; a prompt argument of `-` reads the prompt from stdin.
//   It never asks for approval (no `--ask-for-approval` there), so the sandbox decides.
// - In devflow's sandbox (the default): `--dangerously-bypass-approvals-and-sandbox`, meant for
//   "externally sandboxed" hosts: devflow's bubblewrap sandbox replaces Codex's own (which would need a
//   user namespace inside devflow's, and its own network rules where devflow's proxy already rules).
// - With `sandbox: none`: `--sandbox workspace-write`, edits in the working root, reads anywhere (the
//   documented replacement of the deprecated `--full-auto`).
// - `--add-dir {artifactDir}`: the artifact is written outside the worktree.
// - `--color never`: no ANSI escapes in the transcript.
// - `--json`: events as JSON lines, read by src/sessions/streams/codex-stream.ts into the transcript and
//   the phase's usage (`turn.completed`); Codex reports no cost, the operator's price table gives it.
// - TUI (tmux), sandbox: none: `--ask-for-approval never` keeps an unattended pane from waiting on a human (a refused
//   command returns to the model); `--no-alt-screen` keeps its output in the pane's scrollback.
// Credentials: OPENAI_API_KEY; CODEX_API_KEY (read by `codex exec`, per the environment-variables page).
import type { AgentPreset } from "./agent-preset.js";

export const codexPreset: AgentPreset = {
  name: "codex",
  exec: {
    argv: ["codex", "exec", "--add-dir", "{artifactDir}", "--color", "never", "--json"],
    permissions: {
      sandboxed: ["--dangerously-bypass-approvals-and-sandbox"],
      unsandboxed: ["--sandbox", "workspace-write"],
    },
    promptVia: "stdin",
    trailingArgs: ["-"],
  },
  tmux: {
    argv: ["codex", "--add-dir", "{artifactDir}", "--no-alt-screen"],
    permissions: {
      sandboxed: ["--dangerously-bypass-approvals-and-sandbox"],
      unsandboxed: ["--sandbox", "workspace-write", "--ask-for-approval", "never"],
    },
  },
  apiKeyVariables: ["OPENAI_API_KEY", "CODEX_API_KEY"],
  defaultAllow: ["api.openai.com"],
};
