import { describe, expect, it } from "vitest";
import type { UsageTotals } from "../../src/engine/record-usage.js";
import { describeUsage } from "../../src/engine/usage-summary.js";

const totals = (overrides: Partial<UsageTotals> = {}): UsageTotals => ({
  inputTokens: 1700,
  outputTokens: 145,
  cacheReadTokens: 3600,
  cacheWriteTokens: 170,
  costUsd: 0.0149875,
  costComplete: true,
  models: ["claude-opus-4-8"],
  ...overrides,
});

describe("describeUsage", () => {
  it("says the tokens by kind, the cost and the models in one line", () => {
    expect(describeUsage(totals())).toBe(
      "1,700 input (+3,600 cache read, 170 cache write), 145 output tokens; $0.0150; claude-opus-4-8",
    );
    expect(
      describeUsage(totals({ cacheReadTokens: 0, cacheWriteTokens: 0, costUsd: 12.5, models: [] })),
    ).toBe("1,700 input, 145 output tokens; $12.50");
  });

  it("never claims a cost it does not know", () => {
    expect(describeUsage(totals({ costUsd: null, costComplete: false }))).toContain("; cost unknown;");
    expect(describeUsage(totals({ costComplete: false }))).toContain("; at least $0.0150;");
  });
});
