// Aider (Python, `pip install aider-chat`; not installable from npm, so not checked by running it).
// Flags from aider/args.py of Aider-AI/aider (0.86.3.dev) and https://aider.chat/docs/config/options.html:
// - `--message-file <file>`: "a file containing the message to send the LLM, process reply, then exit
//   (disables chat mode)" — the prompt goes as a file path, the last argument.
// - `--yes-always`: answers every confirmation, e.g. "Create new file?" for the artifact.
// - `--no-auto-commits`, `--no-dirty-commits`: devflow, not the agent, commits (DESIGN §4).
// - `--no-gitignore`: aider would otherwise add `.aider*` to the worktree's .gitignore.
// - `--no-pretty`: no colours in the transcript; `--no-check-update`, `--no-show-release-notes`,
//   `--no-analytics`: nothing asked or fetched at start-up in a fresh HOME.
// - `--read {schemaPath}`: aider sees only the files in its chat, so the schema is added read-only.
// Aider picks its model from whichever key is set (aider/onboarding.py): ANTHROPIC_API_KEY,
// DEEPSEEK_API_KEY, OPENAI_API_KEY, GEMINI_API_KEY, OPENROUTER_API_KEY.
import type { AgentPreset } from "./agent-preset.js";

const quietStart = [
  "--yes-always",
  "--no-auto-commits",
  "--no-dirty-commits",
  "--no-gitignore",
  "--no-check-update",
  "--no-show-release-notes",
  "--no-analytics",
];

export const aiderPreset: AgentPreset = {
  name: "aider",
  exec: {
    argv: ["aider", ...quietStart, "--no-pretty", "--read", "{schemaPath}"],
    promptVia: "file",
    trailingArgs: ["--message-file"],
  },
  tmux: { argv: ["aider", ...quietStart] },
  apiKeyVariables: [
    "ANTHROPIC_API_KEY",
    "OPENAI_API_KEY",
    "GEMINI_API_KEY",
    "DEEPSEEK_API_KEY",
    "OPENROUTER_API_KEY",
  ],
  defaultAllow: ["api.openai.com", "api.anthropic.com"],
};
