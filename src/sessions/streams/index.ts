export { parseClaudeStream } from "./claude-stream.js";
export { type CodexStreamOptions, parseCodexStream } from "./codex-stream.js";
export { type AgentCommand, type CommandList, MAX_COMMANDS } from "./command-log.js";
export { parseGeminiStream } from "./gemini-stream.js";
export {
  costFromPrices,
  type ModelPrice,
  type ModelPrices,
  modelPriceSchema,
  modelPricesSchema,
  priceOf,
} from "./model-prices.js";
export {
  AgentStreamReader,
  MAX_EVENT_CHARS,
  parseAgentStream,
  STREAM_PARSERS,
  type StreamParseOptions,
  type StreamParserName,
  streamParserFor,
} from "./parse-agent-stream.js";
export { type ParsedStream, type PhaseUsage, USAGE_SOURCES, type UsageSource } from "./phase-usage.js";
export type { StreamParser } from "./stream-parser.js";
export { MAX_LINE_CHARS, MAX_TRANSCRIPT_LINES, transcriptLine } from "./transcript-line.js";
export { MAX_USAGE_FILE_BYTES, parseUsageFile, type UsageFileResult } from "./usage-file.js";
