// The operator's price table (server config, key `prices`): USD per million tokens by kind, per model,
// for CLIs that do not report a cost themselves. The schema is the config's; pricing a usage record is
// the agent streams' (src/sessions/streams/model-prices.ts).
import { z } from "zod";

const perMTok = z.number().finite().min(0).max(10_000);

export const modelPriceSchema = z.strictObject({
  inputPerMTok: perMTok,
  outputPerMTok: perMTok,
  /** Defaults to inputPerMTok. */
  cacheReadPerMTok: perMTok.optional(),
  /** Defaults to inputPerMTok. */
  cacheWritePerMTok: perMTok.optional(),
});

/** `prices: { "gpt-5.5": { inputPerMTok: 1.25, outputPerMTok: 10, cacheReadPerMTok: 0.125 }, … }` */
export const modelPricesSchema = z.record(z.string().min(1).max(200), modelPriceSchema);

export type ModelPrice = z.infer<typeof modelPriceSchema>;
export type ModelPrices = z.infer<typeof modelPricesSchema>;
