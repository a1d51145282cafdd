// Gemini CLI (`@google/gemini-cli`). Flags checked against `gemini --help` of 0.61.0
// (test/sessions/presets.test.ts) and docs/cli/headless.md of google-gemini/gemini-cli.
// - Headless mode starts "when the CLI is run in a non-TTY environment or when providing a query with
//   -p": devflow pipes the prompt on stdin, which gemini reads as the whole prompt.
// - `--output-format stream-json`: one JSON event per line, read by src/sessions/streams/gemini-stream.ts
//   into the transcript and the phase's usage (`result.stats`); the price table gives the cost.
// - In devflow's sandbox (the default): `--approval-mode yolo`, every tool approved (its shell too).
//   With `sandbox: none`: `auto_edit`, edit tools only; anything else needs a human and is refused.
// - `--skip-trust`: the session's HOME is new, so no folder is trusted, and headless gemini exits on an
//   untrusted workspace (its own error message names this flag and GEMINI_CLI_TRUST_WORKSPACE).
// - `--include-directories`: the artifact's and the schema's directories are outside the worktree,
//   and gemini's file tools only work inside its workspace directories.
// - Address space: V8 reserves address space for each WebAssembly memory (guard regions for its bounds
//   checks) far beyond what it uses; under RLIMIT_AS (the sandbox's memoryMiB, default 8 GiB, and still
//   at 32 GiB) Gemini 0.61 fails with "Cannot allocate Wasm memory" — its reservations peak near 51 GiB
//   while it uses ~200 MB. Its sandbox gets at least 64 GiB of address space (an agent's own `limits`
//   can still lower it). Node's --disable-wasm-trap-handler cuts the peak to ~17 GiB but slowed start-up
//   threefold at 8 GiB, and an older Node refuses a NODE_OPTIONS flag it does not know.
// Credentials: GEMINI_API_KEY, or GOOGLE_API_KEY (Vertex AI).
import type { AgentPreset } from "./agent-preset.js";

const permissions = {
  sandboxed: ["--approval-mode", "yolo"],
  unsandboxed: ["--approval-mode", "auto_edit"],
};
const workspace = ["--skip-trust", "--include-directories", "{artifactDir},{schemaDir}"];

export const geminiPreset: AgentPreset = {
  name: "gemini",
  exec: {
    argv: ["gemini", "--output-format", "stream-json", ...workspace],
    permissions,
    promptVia: "stdin",
  },
  tmux: { argv: ["gemini", ...workspace], permissions },
  apiKeyVariables: ["GEMINI_API_KEY", "GOOGLE_API_KEY"],
  defaultAllow: ["generativelanguage.googleapis.com"],
  sandboxLimits: { memoryMiB: 65_536 },
};
