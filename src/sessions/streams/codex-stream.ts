// `codex exec --json` output: one JSON object per line — `thread.started`, `turn.started`,
// `item.started` / `item.updated` / `item.completed` (agent_message, reasoning, command_execution,
// file_change, mcp_tool_call, web_search, todo_list, error), `turn.completed` with the turn's usage,
// `turn.failed` and `error`. Codex reports no model and no cost: the caller knows the model (its
// config or `-m`), the price table gives the cost. Recorded example: test/fixtures/agent-streams/codex.jsonl.

import { CommandLog } from "./command-log.js";
import type { ModelPrices } from "./model-prices.js";
import { withCost } from "./model-prices.js";
import { type ParsedStream, type PhaseUsage, tokenCount } from "./phase-usage.js";
import type { StreamParser } from "./stream-parser.js";
import { jsonObjects, recordOf, stringOf, TranscriptBuilder, toolArguments } from "./transcript-line.js";

function describeItem(
  transcript: TranscriptBuilder,
  commands: CommandLog,
  item: Record<string, unknown>,
  done: boolean,
): void {
  switch (item.type) {
    case "agent_message":
      if (done) transcript.add("assistant", stringOf(item.text));
      return;
    case "command_execution":
      if (!done) {
        transcript.add("tool shell", stringOf(item.command));
        commands.started(stringOf(item.id), stringOf(item.command));
      } else {
        const code = typeof item.exit_code === "number" ? item.exit_code : "?";
        transcript.add(code === 0 ? "result" : `tool error (exit ${code})`, stringOf(item.aggregated_output));
        const exitCode = typeof item.exit_code === "number" ? item.exit_code : null;
        // A completed item never seen starting (a stream read from its middle) still counts.
        if (!commands.has(stringOf(item.id))) commands.started(stringOf(item.id), stringOf(item.command));
        commands.finished(stringOf(item.id), { exitCode, failed: exitCode !== 0 });
      }
      return;
    case "file_change": {
      if (!done) return;
      const changes = Array.isArray(item.changes) ? item.changes.map(recordOf) : [];
      const list = changes.map((change) => `${stringOf(change.kind)} ${stringOf(change.path)}`).join(", ");
      transcript.add(item.status === "failed" ? "tool error apply_patch" : "tool apply_patch", list);
      return;
    }
    case "mcp_tool_call":
      if (!done)
        transcript.add(`tool ${stringOf(item.server)}.${stringOf(item.tool)}`, toolArguments(item.arguments));
      else if (item.status === "failed") transcript.add("tool error", stringOf(recordOf(item.error).message));
      return;
    case "web_search":
      if (done) transcript.add("tool web_search", stringOf(item.query));
      return;
    case "error":
      transcript.add("error", stringOf(item.message));
      return;
    default:
      // reasoning, todo_list and item types newer than this parser: not part of the readable transcript
      return;
  }
}

export interface CodexStreamOptions {
  /** The model Codex was configured with; its stream does not name it. */
  readonly model?: string;
  readonly prices?: ModelPrices;
}

/** Codex's events in order; `finish()` gives the transcript and the usage. */
export function codexStreamParser(options: CodexStreamOptions = {}): StreamParser {
  const transcript = new TranscriptBuilder();
  const commands = new CommandLog();
  const totals = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
  let sawUsage = false;
  const event = (event: Record<string, unknown>) => {
    if (event.type === "item.started" || event.type === "item.completed") {
      describeItem(transcript, commands, recordOf(event.item), event.type === "item.completed");
    } else if (event.type === "turn.completed") {
      const usage = recordOf(event.usage);
      const input = tokenCount(usage.input_tokens);
      const cached = Math.min(tokenCount(usage.cached_input_tokens), input);
      // OpenAI counts cached tokens inside input_tokens; devflow's inputTokens are the uncached ones.
      totals.inputTokens += input - cached;
      totals.cacheReadTokens += cached;
      totals.cacheWriteTokens += tokenCount(usage.cache_write_input_tokens);
      totals.outputTokens += tokenCount(usage.output_tokens);
      sawUsage = true;
    } else if (event.type === "turn.failed") {
      transcript.add("error", stringOf(recordOf(event.error).message));
    } else if (event.type === "error") {
      transcript.add("error", stringOf(event.message));
    }
  };
  const usage = (): PhaseUsage | undefined =>
    sawUsage
      ? withCost({ ...totals, model: options.model ?? null, source: "stream" }, null, options.prices)
      : undefined;
  const lines = () => transcript.lines();
  const finish = (): ParsedStream => ({ transcript: lines(), commands: commands.list(), usage: usage() });
  return { event, lines, usage, finish };
}

export function parseCodexStream(text: string, options: CodexStreamOptions = {}): ParsedStream {
  const parser = codexStreamParser(options);
  for (const event of jsonObjects(text)) parser.event(event);
  return parser.finish();
}
