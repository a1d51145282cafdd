// The agent contract's usage file (DEVFLOW_USAGE_FILE): a command agent appends one JSON object per
// model call, `{"inputTokens":…,"outputTokens":…,"costUsd":…,"model":"…"}` (cache fields optional).
// The file is the agent's, so hostile: only its first MAX_USAGE_FILE_BYTES are read, junk lines are
// skipped and counted, and numbers must be finite, non-negative and plausible.
import type { ModelPrices } from "./model-prices.js";
import { costFromPrices } from "./model-prices.js";
import { type PhaseUsage, tokenCount, usdAmount } from "./phase-usage.js";
import { jsonObjects } from "./transcript-line.js";

export const MAX_USAGE_FILE_BYTES = 1024 * 1024;
/** Larger counts or costs on one line are not believed (a line claiming 1e300 tokens is junk). */
const MAX_TOKENS_PER_LINE = 1_000_000_000;
const MAX_COST_PER_LINE = 100_000;

export interface UsageFileResult {
  /** Undefined when no line was valid. */
  readonly usage: PhaseUsage | undefined;
  /** Lines that were not a usage object (shown to the operator as a count, never echoed). */
  readonly skippedLines: number;
  /** The file was longer than MAX_USAGE_FILE_BYTES and only its start was read. */
  readonly truncated: boolean;
}

const plausible = (value: number, max: number) => value <= max;

export function parseUsageFile(content: string | Buffer, prices?: ModelPrices): UsageFileResult {
  const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
  const truncated = bytes.length > MAX_USAGE_FILE_BYTES;
  const text = bytes.subarray(0, MAX_USAGE_FILE_BYTES).toString("utf8");
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  const totals = { inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 };
  const modelTokens = new Map<string, number>();
  let reportedCost = 0;
  let everyLineHasCost = true;
  let valid = 0;
  for (const line of jsonObjects(text)) {
    const counts = {
      inputTokens: tokenCount(line.inputTokens),
      outputTokens: tokenCount(line.outputTokens),
      cacheReadTokens: tokenCount(line.cacheReadTokens),
      cacheWriteTokens: tokenCount(line.cacheWriteTokens),
    };
    const cost = line.costUsd === undefined || line.costUsd === null ? null : usdAmount(line.costUsd);
    const hasCounts = typeof line.inputTokens === "number" || typeof line.outputTokens === "number";
    const believable =
      Object.values(counts).every((count) => plausible(count, MAX_TOKENS_PER_LINE)) &&
      (cost === null || plausible(cost, MAX_COST_PER_LINE)) &&
      (line.costUsd === undefined || line.costUsd === null || cost !== null);
    if (!hasCounts || !believable) continue;
    valid++;
    for (const key of Object.keys(totals) as (keyof typeof totals)[]) totals[key] += counts[key];
    if (cost === null) everyLineHasCost = false;
    else reportedCost += cost;
    if (typeof line.model === "string" && line.model !== "" && line.model.length <= 200) {
      modelTokens.set(
        line.model,
        (modelTokens.get(line.model) ?? 0) + counts.inputTokens + counts.outputTokens,
      );
    }
  }
  const skippedLines = lines.length - valid;
  if (valid === 0) return { usage: undefined, skippedLines, truncated };
  const model = [...modelTokens.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
  const base = { ...totals, model, source: "usage-file" as const };
  // A cost only when every line gave one: a partial sum would look exact and be too low.
  const costUsd = everyLineHasCost
    ? reportedCost
    : prices === undefined
      ? null
      : costFromPrices(base, prices);
  return { usage: { ...base, costUsd }, skippedLines, truncated };
}
