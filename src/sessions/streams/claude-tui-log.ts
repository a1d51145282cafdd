// Claude Code's own record of an interactive (TUI) conversation: `~/.claude/projects/<dir>/<id>.jsonl`
// in the session's HOME, one JSON object per line — `user`, `assistant` (a whole API response: its id,
// model, content, stop_reason and final usage; a response may span several lines with the same id),
// and `system` lines such as `turn_duration` once a turn is over. The file is the agent's: bounded and
// hostile-safe like every stream parser here. Recorded example: test/fixtures/agent-streams/claude-tui.jsonl.
import { type AnthropicUsage, anthropicUsageOf, modelName } from "./claude-stream.js";
import type { ModelPrices } from "./model-prices.js";
import { withCost } from "./model-prices.js";
import type { PhaseUsage } from "./phase-usage.js";
import { jsonObjects, recordOf, stringOf } from "./transcript-line.js";

const MAX_MESSAGES = 10_000;
/** A response claiming more tokens than this is not believed (as in usage-file.ts). */
const MAX_TOKENS_PER_RESPONSE = 1_000_000_000;
const ENDING_STOP_REASONS = new Set(["end_turn", "stop_sequence", "max_tokens", "refusal"]);

export interface ClaudeTuiUsage {
  /** Undefined when the log holds no response yet. */
  readonly usage: PhaseUsage | undefined;
  /** Whether the last prompt's turn is over (no tool call pending, no response awaited). */
  readonly turnEnded: boolean;
}

/** The usage of every response in the logs' texts (each id counted once), and whether the turn ended. */
export function parseClaudeTuiLogs(texts: readonly string[], prices?: ModelPrices): ClaudeTuiUsage {
  const responses = new Map<string, AnthropicUsage & { model: string }>();
  let turnEnded = true;
  for (const text of texts) {
    for (const entry of jsonObjects(text)) {
      const message = recordOf(entry.message);
      if (entry.type === "user") turnEnded = false;
      else if (entry.type === "system" && entry.subtype === "turn_duration") turnEnded = true;
      else if (entry.type === "assistant") {
        turnEnded = ENDING_STOP_REASONS.has(stringOf(message.stop_reason));
        const id = stringOf(message.id);
        if (id === "" || (!responses.has(id) && responses.size >= MAX_MESSAGES)) continue;
        const usage = anthropicUsageOf(message.usage);
        if (Object.values(usage).some((count) => count > MAX_TOKENS_PER_RESPONSE)) continue;
        responses.set(id, { ...usage, model: modelName(stringOf(message.model)) });
      }
    }
  }
  if (responses.size === 0) return { usage: undefined, turnEnded };
  const totals = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
  const byModel = new Map<string, number>();
  for (const response of responses.values()) {
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += response[key];
    const tokens = response.inputTokens + response.outputTokens;
    if (response.model !== "") byModel.set(response.model, (byModel.get(response.model) ?? 0) + tokens);
  }
  const model = [...byModel.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  const usage = withCost({ ...totals, model: model?.slice(0, 200) ?? null, source: "stream" }, null, prices);
  return { usage, turnEnded };
}

/**
 * How many prompts the logs record as a person's: `user` lines whose content is text (a string or text
 * blocks), not tool results and not Claude's own meta lines. A submitted prompt adds one at once.
 */
export function countClaudePrompts(texts: readonly string[]): number {
  let prompts = 0;
  for (const text of texts) {
    for (const entry of jsonObjects(text)) {
      if (entry.type !== "user" || entry.isMeta === true) continue;
      const content = recordOf(entry.message).content;
      const blocks: unknown[] = Array.isArray(content) ? content : [];
      const types = blocks.map((block) => recordOf(block).type);
      // Tool results may come with text blocks of Claude's own (reminders): they are no prompt.
      const typed = typeof content === "string" || (types.includes("text") && !types.includes("tool_result"));
      if (typed) prompts++;
    }
  }
  return prompts;
}
