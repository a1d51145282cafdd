// Gemini CLI's `--output-format stream-json` output: one JSON object per line — `init` (model),
// `message` (user, or assistant text in `delta` pieces), `tool_use`, `tool_result`, `error`, and a last
// `result` whose `stats` hold the run's tokens (per model too). Gemini reports no cost: the price table
// gives it. Recorded example: test/fixtures/agent-streams/gemini.jsonl.

import { CommandLog, quotedExitCode } from "./command-log.js";
import type { ModelPrices } from "./model-prices.js";
import { withCost } from "./model-prices.js";
import { type ParsedStream, type PhaseUsage, tokenCount } from "./phase-usage.js";
import type { StreamParser } from "./stream-parser.js";
import {
  jsonObjects,
  MAX_LINE_CHARS,
  recordOf,
  stringOf,
  TranscriptBuilder,
  toolArguments,
} from "./transcript-line.js";

/** The model that used the most tokens, by the result's per-model stats. */
function mainModel(models: unknown): string | undefined {
  const entries = Object.entries(recordOf(models)).map(([name, stats]) => ({
    name,
    tokens: tokenCount(recordOf(stats).total_tokens),
  }));
  entries.sort((a, b) => b.tokens - a.tokens);
  return entries[0]?.name;
}

/** Gemini's events in order; `finish()` gives the transcript and the usage. */
export function geminiStreamParser(prices?: ModelPrices): StreamParser {
  const transcript = new TranscriptBuilder();
  const commands = new CommandLog();
  let model: string | undefined;
  let stats: Record<string, unknown> | undefined;
  // Assistant text comes in delta pieces: one transcript line per uninterrupted run of them, kept no
  // longer than a line can show.
  let said = "";
  const flush = () => {
    if (said.trim() !== "") transcript.add("assistant", said);
    said = "";
  };
  const event = (event: Record<string, unknown>) => {
    if (event.type === "message" && event.role === "assistant") {
      if (said.length < MAX_LINE_CHARS * 2) said += stringOf(event.content);
      return;
    }
    flush();
    if (event.type === "init") {
      model = stringOf(event.model) || model;
    } else if (event.type === "tool_use") {
      transcript.add(`tool ${stringOf(event.tool_name)}`, toolArguments(event.parameters));
      if (event.tool_name === "run_shell_command")
        commands.started(stringOf(event.tool_id), stringOf(recordOf(event.parameters).command));
    } else if (event.type === "tool_result") {
      const output = stringOf(event.output);
      if (event.status === "success") transcript.add("result", output || "(no output)");
      else transcript.add("tool error", stringOf(recordOf(event.error).message) || output);
      // Gemini's shell tool quotes a non-zero exit code in its output ("Exit Code: 1").
      const failed = event.status !== "success" || (quotedExitCode(output) ?? 0) !== 0;
      const exitCode = quotedExitCode(output) ?? (failed ? null : 0);
      commands.finished(stringOf(event.tool_id), { exitCode, failed });
    } else if (event.type === "error") {
      transcript.add("error", stringOf(event.message));
    } else if (event.type === "result") {
      if (event.status !== "success")
        transcript.add("error", stringOf(recordOf(event.error).message) || "the run failed");
      stats = recordOf(event.stats);
    }
  };
  const usage = (): PhaseUsage | undefined => {
    if (stats === undefined) return undefined;
    const input = tokenCount(stats.input_tokens);
    const cached = Math.min(tokenCount(stats.cached), input);
    const totals = {
      // Gemini counts cached tokens inside input_tokens; devflow's inputTokens are the uncached ones.
      inputTokens: input - cached,
      outputTokens: tokenCount(stats.output_tokens),
      cacheReadTokens: cached,
      cacheWriteTokens: 0,
    };
    return withCost(
      { ...totals, model: mainModel(stats.models) ?? model ?? null, source: "stream" },
      null,
      prices,
    );
  };
  const finish = (): ParsedStream => {
    flush();
    return { transcript: transcript.lines(), commands: commands.list(), usage: usage() };
  };
  return { event, lines: () => transcript.lines(), usage, finish };
}

export function parseGeminiStream(text: string, prices?: ModelPrices): ParsedStream {
  const parser = geminiStreamParser(prices);
  for (const event of jsonObjects(text)) parser.event(event);
  return parser.finish();
}
