// Claude Code's `--print --output-format stream-json --verbose` output: one JSON object per line —
// `system` (init: model, tools), `assistant` (a message's content blocks: text, tool_use), `user`
// (tool_result blocks), and a last `result` with the run's usage, `total_cost_usd`, `modelUsage` and
// `permission_denials`. Recorded example: test/fixtures/agent-streams/claude.jsonl.

import { CommandLog, quotedExitCode } from "./command-log.js";
import type { ModelPrices } from "./model-prices.js";
import { withCost } from "./model-prices.js";
import { type ParsedStream, type PhaseUsage, tokenCount, usdAmount } from "./phase-usage.js";
import type { StreamParser } from "./stream-parser.js";
import { jsonObjects, recordOf, stringOf, TranscriptBuilder, toolArguments } from "./transcript-line.js";

export interface AnthropicUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
}

/** An Anthropic `usage` object (untrusted) in devflow's terms. */
export function anthropicUsageOf(value: unknown): AnthropicUsage {
  const usage = recordOf(value);
  return {
    inputTokens: tokenCount(usage.input_tokens),
    outputTokens: tokenCount(usage.output_tokens),
    cacheReadTokens: tokenCount(usage.cache_read_input_tokens),
    cacheWriteTokens: tokenCount(usage.cache_creation_input_tokens),
  };
}

/** `claude-opus-4-8[1m]` → `claude-opus-4-8`: the suffix names a context-window variant, not a model. */
export const modelName = (name: string) => name.replace(/\[[^\]]*\]$/, "");

/** The model that cost the most in `modelUsage` (sub-agents may use a smaller one). */
function mainModel(modelUsage: unknown): string | undefined {
  const entries = Object.entries(recordOf(modelUsage)).map(([name, value]) => ({
    name,
    cost: usdAmount(recordOf(value).costUSD) ?? 0,
  }));
  entries.sort((a, b) => b.cost - a.cost);
  return entries[0] === undefined ? undefined : modelName(entries[0].name);
}

/** Tool results are a string or a list of text (and image) blocks. */
function resultText(content: unknown): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return "";
  return content.map((block) => stringOf(recordOf(block).text)).join(" ");
}

/** Claude's events in order; `finish()` gives the transcript and the usage. */
export function claudeStreamParser(prices?: ModelPrices): StreamParser {
  const transcript = new TranscriptBuilder();
  const commands = new CommandLog();
  let model: string | undefined;
  let result: Record<string, unknown> | undefined;
  // Usage per assistant message id: the fallback when the run died before its `result` event.
  const perMessage = new Map<string, AnthropicUsage>();
  const event = (event: Record<string, unknown>) => {
    const message = recordOf(event.message);
    if (event.type === "system" && event.subtype === "init") {
      model = modelName(stringOf(event.model)) || model;
    } else if (event.type === "assistant") {
      model = stringOf(message.model) || model;
      const id = stringOf(message.id);
      // Bounded: a hostile stream of distinct ids must not grow this without end.
      if (id !== "" && (perMessage.has(id) || perMessage.size < 10_000))
        perMessage.set(id, anthropicUsageOf(message.usage));
      for (const block of Array.isArray(message.content) ? message.content : []) {
        const { type, text: said, name, input, id: toolId } = recordOf(block);
        if (type === "text" && stringOf(said).trim() !== "") transcript.add("assistant", stringOf(said));
        if (type === "tool_use") transcript.add(`tool ${stringOf(name)}`, toolArguments(input));
        if (type === "tool_use" && name === "Bash")
          commands.started(stringOf(toolId), stringOf(recordOf(input).command));
      }
    } else if (event.type === "user") {
      for (const block of Array.isArray(message.content) ? message.content : []) {
        const { type, content, is_error: isError, tool_use_id: toolId } = recordOf(block);
        if (type !== "tool_result") continue;
        transcript.add(isError === true ? "tool error" : "result", resultText(content));
        // Claude's Bash tool reports a non-zero exit as an error, quoting the code in its text.
        const failed = isError === true;
        const exitCode = failed ? quotedExitCode(resultText(content)) : 0;
        commands.finished(stringOf(toolId), { exitCode, failed });
      }
    } else if (event.type === "result") {
      result = event;
    }
  };
  const usage = (): PhaseUsage | undefined => {
    if (result === undefined) {
      if (perMessage.size === 0) return undefined;
      const sum = [...perMessage.values()].reduce((total, usage) => ({
        inputTokens: total.inputTokens + usage.inputTokens,
        outputTokens: total.outputTokens + usage.outputTokens,
        cacheReadTokens: total.cacheReadTokens + usage.cacheReadTokens,
        cacheWriteTokens: total.cacheWriteTokens + usage.cacheWriteTokens,
      }));
      return withCost({ ...sum, model: model ?? null, source: "stream" }, null, prices);
    }
    return withCost(
      {
        ...anthropicUsageOf(result.usage),
        model: mainModel(result.modelUsage) ?? model ?? null,
        source: "stream",
      },
      usdAmount(result.total_cost_usd),
      prices,
    );
  };
  const finish = (): ParsedStream => {
    if (result === undefined) {
      if (perMessage.size === 0)
        return { transcript: transcript.lines(), commands: commands.list(), usage: undefined };
      transcript.add("error", "the stream ended without a result (the CLI stopped early)");
      return { transcript: transcript.lines(), commands: commands.list(), usage: usage() };
    }
    for (const denial of Array.isArray(result.permission_denials) ? result.permission_denials : []) {
      const { tool_name: tool, tool_input: input } = recordOf(denial);
      transcript.add(`denied ${stringOf(tool)}`, toolArguments(input));
    }
    if (result.is_error === true || (result.subtype !== undefined && result.subtype !== "success")) {
      const errors = Array.isArray(result.errors) ? result.errors.map(String).join("; ") : "";
      const what = [stringOf(result.subtype), stringOf(result.result), errors].filter(Boolean).join(": ");
      transcript.add("error", what);
    }
    return { transcript: transcript.lines(), commands: commands.list(), usage: usage() };
  };
  return { event, lines: () => transcript.lines(), usage, finish };
}

export function parseClaudeStream(text: string, prices?: ModelPrices): ParsedStream {
  const parser = claudeStreamParser(prices);
  for (const event of jsonObjects(text)) parser.event(event);
  return parser.finish();
}
