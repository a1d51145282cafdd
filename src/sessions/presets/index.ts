export {
  type AgentLaunch,
  agentLaunch,
  agentLimits,
  agentNetwork,
  type LaunchableAgent,
  PRESETS,
} from "./agent-launch.js";
export {
  AGENT_MODES,
  type AgentMode,
  type AgentPreset,
  ARGV_PLACEHOLDERS,
  type ArgvValues,
  argvValuesOf,
  CLI_PRESETS,
  type CliPresetName,
  expandArgv,
  PROMPT_VIA,
  type PromptVia,
} from "./agent-preset.js";
export { aiderPreset } from "./aider.js";
export { claudePreset } from "./claude.js";
export { codexPreset } from "./codex.js";
export { commandPreset } from "./command.js";
export { geminiPreset } from "./gemini.js";
