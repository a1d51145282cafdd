// Usage in words, for the final report, `devflow status` and `devflow logs`: one line per run or phase
// attempt, never claiming a cost it does not know.
import type { UsageTotals } from "./record-usage.js";

const count = (value: number) => value.toLocaleString("en-US");

/** `$0.0150`: four decimals below a dollar (a phase often costs cents), two above. */
export function formatUsd(amount: number): string {
  return `$${amount.toFixed(amount < 1 ? 4 : 2)}`;
}

/**
 * e.g. "1,700 input (+3,600 cache read, 170 cache write), 145 output tokens; $0.0150; claude-opus-4-8".
 * A cost some records lacked reads "at least $…"; none known reads "cost unknown".
 */
export function describeUsage(usage: UsageTotals): string {
  const cache = [
    usage.cacheReadTokens > 0 ? `${count(usage.cacheReadTokens)} cache read` : "",
    usage.cacheWriteTokens > 0 ? `${count(usage.cacheWriteTokens)} cache write` : "",
  ].filter(Boolean);
  const input = `${count(usage.inputTokens)} input${cache.length > 0 ? ` (+${cache.join(", ")})` : ""}`;
  const tokens = `${input}, ${count(usage.outputTokens)} output tokens`;
  const cost =
    usage.costUsd === null
      ? "cost unknown"
      : `${usage.costComplete ? "" : "at least "}${formatUsd(usage.costUsd)}`;
  const models = usage.models.length > 0 ? `; ${usage.models.join(", ")}` : "";
  return `${tokens}; ${cost}${models}`;
}
