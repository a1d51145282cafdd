// One entry point for the adapters: the stream parser of a preset, by name.
import { parseClaudeStream } from "./claude-stream.js";
import { parseCodexStream } from "./codex-stream.js";
import { parseGeminiStream } from "./gemini-stream.js";
import type { ModelPrices } from "./model-prices.js";
import type { ParsedStream } from "./phase-usage.js";

export const STREAM_PARSERS = ["claude", "codex", "gemini"] as const;
export type StreamParserName = (typeof STREAM_PARSERS)[number];

export interface StreamParseOptions {
  /** The model the agent was configured with, for CLIs whose stream does not name it (Codex). */
  readonly model?: string;
  readonly prices?: ModelPrices;
}

export function parseAgentStream(
  preset: StreamParserName,
  text: string,
  options: StreamParseOptions = {},
): ParsedStream {
  if (preset === "claude") return parseClaudeStream(text, options.prices);
  if (preset === "codex") return parseCodexStream(text, options);
  return parseGeminiStream(text, options.prices);
}
