// The contract's usage file (DEVFLOW_USAGE_FILE) is written by the agent: it is read as hostile input.
// And the operator's price table: its schema and how a model finds its price.
import { describe, expect, it } from "vitest";
import {
  costFromPrices,
  MAX_USAGE_FILE_BYTES,
  modelPricesSchema,
  parseUsageFile,
  priceOf,
} from "../../src/sessions/streams/index.js";

const line = (value: unknown) => JSON.stringify(value);

describe("parseUsageFile", () => {
  it("sums the lines, names the model that used the most tokens, and sums the costs the agent reported", () => {
    const text = [
      line({ inputTokens: 1000, outputTokens: 200, costUsd: 0.01, model: "small-model" }),
      line({
        inputTokens: 5000,
        outputTokens: 100,
        cacheReadTokens: 40,
        cacheWriteTokens: 7,
        costUsd: 0.02,
        model: "big-model",
      }),
      "",
    ].join("\n");
    expect(parseUsageFile(text)).toEqual({
      usage: {
        inputTokens: 6000,
        outputTokens: 300,
        cacheReadTokens: 40,
        cacheWriteTokens: 7,
        model: "big-model",
        costUsd: 0.03,
        source: "usage-file",
      },
      skippedLines: 0,
      truncated: false,
    });
  });

  it("skips junk, impossible numbers and lines without counts, and counts them", () => {
    const text = [
      "hello",
      "{broken",
      line({ model: "x" }), // no counts
      line({ inputTokens: 1e300, outputTokens: 1 }), // not believable
      line({ inputTokens: 10, outputTokens: 1, costUsd: -5 }), // a negative cost
      line({ inputTokens: 10, outputTokens: 1, costUsd: "0.1" }), // a cost that is not a number
      '{"inputTokens": NaN}',
      line({ inputTokens: -3, outputTokens: 4 }), // negative counts as 0
    ].join("\n");
    const result = parseUsageFile(text);
    expect(result.skippedLines).toBe(7);
    expect(result.usage).toMatchObject({ inputTokens: 0, outputTokens: 4, costUsd: null, model: null });
  });

  it("gives no cost when a line lacks one, unless the price table prices the model", () => {
    const text = [
      line({ inputTokens: 1_000_000, outputTokens: 0, costUsd: 1, model: "m" }),
      line({ inputTokens: 0, outputTokens: 1_000_000, model: "m" }),
    ].join("\n");
    expect(parseUsageFile(text).usage?.costUsd).toBeNull();
    const prices = { m: { inputPerMTok: 3, outputPerMTok: 15 } };
    expect(parseUsageFile(text, prices).usage?.costUsd).toBe(18);
  });

  it("reads only the first MAX_USAGE_FILE_BYTES of a flooded file", () => {
    const one = `${line({ inputTokens: 1, outputTokens: 1 })}\n`;
    const flood = one.repeat(Math.ceil((MAX_USAGE_FILE_BYTES * 3) / one.length));
    const result = parseUsageFile(Buffer.from(flood));
    expect(result.truncated).toBe(true);
    expect(result.usage?.inputTokens).toBe(Math.floor(MAX_USAGE_FILE_BYTES / one.length));
  });

  it("gives no usage for an empty file", () => {
    expect(parseUsageFile("")).toEqual({ usage: undefined, skippedLines: 0, truncated: false });
  });
});

describe("the price table", () => {
  it("accepts USD per million tokens by kind and rejects what is not a price, naming it", () => {
    const prices = { "gpt-5.5": { inputPerMTok: 1.25, outputPerMTok: 10, cacheReadPerMTok: 0.125 } };
    expect(modelPricesSchema.parse(prices)).toEqual(prices);
    const bad = modelPricesSchema.safeParse({ m: { inputPerMTok: -1, outputPerMTok: 1, perCall: 2 } });
    expect(bad.success).toBe(false);
    const paths = bad.error?.issues.map((issue) => issue.path.join(".")).sort();
    expect(paths).toEqual(["m", "m.inputPerMTok"]);
  });

  it("prices a model by its exact name, else by the longest name it extends with a dash", () => {
    const prices = {
      "gemini-2.5": { inputPerMTok: 1, outputPerMTok: 1 },
      "gemini-2.5-pro": { inputPerMTok: 2, outputPerMTok: 2 },
    };
    expect(priceOf(prices, "gemini-2.5-pro-preview-06-05")?.inputPerMTok).toBe(2);
    expect(priceOf(prices, "gemini-2.5-flash")?.inputPerMTok).toBe(1);
    expect(priceOf(prices, "gemini-2.50")).toBeUndefined();
    const usage = { inputTokens: 500_000, outputTokens: 0, cacheReadTokens: 1_000_000, cacheWriteTokens: 0 };
    expect(costFromPrices({ ...usage, model: "gemini-2.5-pro" }, prices)).toBe(3); // cache reads at the input price
    expect(costFromPrices({ ...usage, model: null }, prices)).toBeNull();
  });
});
