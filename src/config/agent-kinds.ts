// The kinds of agent the server config may name (modes, presets, how the prompt is passed): the config's
// vocabulary, so it lives here, below the sessions that implement them.

/** How an exec agent receives the prompt: on stdin, as its last argument, or as a file path argument. */
export const PROMPT_VIA = ["stdin", "arg", "file"] as const;
export type PromptVia = (typeof PROMPT_VIA)[number];

/** `exec`: a headless one-shot process per prompt; `tmux`: an interactive TUI in a tmux pane. */
export const AGENT_MODES = ["exec", "tmux"] as const;
export type AgentMode = (typeof AGENT_MODES)[number];

/** The presets for known CLIs; `command` (the operator's own argv) is built by commandPreset. */
export const CLI_PRESETS = ["claude", "codex", "gemini", "aider"] as const;
export type CliPresetName = (typeof CLI_PRESETS)[number];
