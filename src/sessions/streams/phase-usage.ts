// What one phase attempt of an agent consumed, in one shape whatever the CLI: token counts by kind,
// the model, and the cost in USD when the CLI reported it or the operator's price table gives it.
import type { CommandList } from "./command-log.js";

/** Where a usage record came from: the CLI's own machine-readable stream, or the contract's usage file. */
export const USAGE_SOURCES = ["stream", "usage-file"] as const;
export type UsageSource = (typeof USAGE_SOURCES)[number];

export interface PhaseUsage {
  /** Input tokens billed at the full input rate (cache reads and writes not included). */
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** Input tokens served from the provider's prompt cache. */
  readonly cacheReadTokens: number;
  /** Input tokens written to the prompt cache (Anthropic bills them above the input rate). */
  readonly cacheWriteTokens: number;
  /** The model that did most of the work, when known. */
  readonly model: string | null;
  /** Reported by the CLI, or computed from the price table; null when neither knows. */
  readonly costUsd: number | null;
  readonly source: UsageSource;
}

/** A CLI stream read into what devflow shows and stores. */
export interface ParsedStream {
  /** One line per event worth reading: assistant text, tool calls, tool results, errors. */
  readonly transcript: readonly string[];
  /** The shell commands the agent ran, with how each ended. */
  readonly commands: CommandList;
  /** Undefined when the stream held no usage (the CLI died before reporting it). */
  readonly usage: PhaseUsage | undefined;
}

/** A non-negative integer count from untrusted JSON, else 0. */
export function tokenCount(value: unknown): number {
  return typeof value === "number" && Number.isFinite(value) && value > 0 ? Math.floor(value) : 0;
}

/** A non-negative finite amount from untrusted JSON, else null. */
export function usdAmount(value: unknown): number | null {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : null;
}
