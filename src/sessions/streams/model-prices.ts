// The operator's price table (server config, key `prices`): USD per million tokens by kind, per model,
// for CLIs that do not report a cost themselves (Codex, Gemini, command agents' usage files).
import type { ModelPrice, ModelPrices } from "../../config/index.js";
import type { PhaseUsage } from "./phase-usage.js";

export {
  type ModelPrice,
  type ModelPrices,
  modelPriceSchema,
  modelPricesSchema,
} from "../../config/index.js";

/**
 * The price of `model`: its exact entry, else the longest entry that is a prefix of it followed by a
 * `-` (so `gemini-2.5-pro` also prices `gemini-2.5-pro-preview-06-05`), else undefined.
 */
export function priceOf(prices: ModelPrices, model: string): ModelPrice | undefined {
  const exact = prices[model];
  if (exact !== undefined) return exact;
  const prefixes = Object.keys(prices)
    .filter((name) => model.startsWith(`${name}-`))
    .sort((a, b) => b.length - a.length);
  return prefixes[0] === undefined ? undefined : prices[prefixes[0]];
}

/** The cost of `usage` by `prices`, or null when its model is unknown or not in the table. */
export function costFromPrices(
  usage: Omit<PhaseUsage, "costUsd" | "source">,
  prices: ModelPrices,
): number | null {
  if (usage.model === null) return null;
  const price = priceOf(prices, usage.model);
  if (price === undefined) return null;
  const micro =
    usage.inputTokens * price.inputPerMTok +
    usage.outputTokens * price.outputPerMTok +
    usage.cacheReadTokens * (price.cacheReadPerMTok ?? price.inputPerMTok) +
    usage.cacheWriteTokens * (price.cacheWritePerMTok ?? price.inputPerMTok);
  return micro / 1_000_000;
}

/** The CLI's own cost when it reported one, else the price table's. */
export function withCost(
  usage: Omit<PhaseUsage, "costUsd">,
  reported: number | null,
  prices: ModelPrices | undefined,
): PhaseUsage {
  return { ...usage, costUsd: reported ?? (prices === undefined ? null : costFromPrices(usage, prices)) };
}
