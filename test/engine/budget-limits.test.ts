// Which limit holds and when it is crossed, without a database: the server's limits lowered (never
// raised) by the repository's, replaced where Approve raised one; a limit holds at exactly its value and
// is crossed past it; the run's limits are looked at before the phase's; and the words every surface uses.
import { describe, expect, it } from "vitest";
import type { BudgetConfig } from "../../src/config/budgets.js";
import { firstCrossing } from "../../src/engine/budget-check.js";
import type { Spending, Spent } from "../../src/engine/budget-spending.js";
import { effectiveLimits } from "../../src/engine/budget-state.js";
import { budgetGateText, describeCrossing, describeSpentAgainst } from "../../src/engine/budget-words.js";

const config: BudgetConfig = {
  run: { tokens: 1_000, costUsd: 2, wallTimeMinutes: 60, attempts: 6 },
  phase: { tokens: 500, costUsd: null, wallTimeMinutes: 30, attempts: 3 },
  raiseBy: { tokens: 250, costUsd: 1, wallTimeMinutes: 15, attempts: 2 },
};
const nothing: Spent = { tokens: 0, costUsd: 0, costComplete: true, wallTimeMinutes: 0, attempts: 1 };
const spending = (run: Partial<Spent>, phase: Partial<Spent> = {}): Spending => ({
  run: { ...nothing, ...run },
  phase: { ...nothing, ...phase },
});
const where = { phaseKey: "implement", attempt: 2 };

describe("the limits that hold for a run", () => {
  it("are the server's, lowered by the repository's and never raised by them", () => {
    const limits = effectiveLimits(
      config,
      { lower: { run: { tokens: 400, costUsd: 9 }, phase: { costUsd: 1 } } },
      "implement",
    );
    expect(limits.run).toEqual({ tokens: 400, costUsd: 2, wallTimeMinutes: 60, attempts: 6 });
    // The server sets no phase cost limit: the repository's lower one holds.
    expect(limits.phase.costUsd).toBe(1);
  });

  it("take a raised limit for the run, or for the one phase that was raised", () => {
    const state = { raised: { "run.tokens": 1_250, "phase:implement.attempts": 5 } };
    expect(effectiveLimits(config, state, "implement").run.tokens).toBe(1_250);
    expect(effectiveLimits(config, state, "implement").phase.attempts).toBe(5);
    expect(effectiveLimits(config, state, "review").phase.attempts).toBe(3);
  });
});

describe("a crossed limit", () => {
  const limits = effectiveLimits(config, {}, "implement");

  it.each([
    ["nothing at exactly the limits", spending({ tokens: 1_000, costUsd: 2 }, { tokens: 500 }), undefined],
    ["the run's tokens", spending({ tokens: 1_001 }), ["run", "tokens", 1_000, 1_001, 1_250]],
    [
      "the run's cost before its tokens",
      spending({ tokens: 5_000, costUsd: 2.5 }),
      ["run", "costUsd", 2, 2.5, 3],
    ],
    [
      "the run's before the phase's",
      spending({ wallTimeMinutes: 61 }, { tokens: 900 }),
      ["run", "wallTimeMinutes", 60, 61, 75],
    ],
    ["the phase's tokens", spending({ tokens: 600 }, { tokens: 600 }), ["phase", "tokens", 500, 600, 750]],
    ["the phase's attempts", spending({ attempts: 4 }, { attempts: 4 }), ["phase", "attempts", 3, 4, 5]],
    ["no phase cost limit (null)", spending({}, { costUsd: 1_000 }), undefined],
  ] as const)("is %s", (_, spent, expected) => {
    const crossing = firstCrossing(limits, spent, config.raiseBy, where);
    if (expected === undefined) expect(crossing).toBeUndefined();
    else {
      const [scope, dimension, limit, spentAmount, raisedTo] = expected;
      expect(crossing).toEqual({ scope, dimension, limit, spent: spentAmount, raisedTo, ...where });
    }
  });
});

describe("budgets in words", () => {
  it("name the limit, what was spent against it, and what each decision does", () => {
    const crossing = {
      scope: "phase",
      dimension: "costUsd",
      limit: 5,
      spent: 5.21,
      raisedTo: 15,
      ...where,
    } as const;
    expect(describeCrossing(crossing)).toBe(
      "Phase `implement`'s cost limit of $5.00 was crossed: $5.21 spent (attempt 2).",
    );
    expect(
      budgetGateText({
        ...crossing,
        scope: "run",
        dimension: "wallTimeMinutes",
        limit: 60,
        spent: 61.5,
        raisedTo: 75,
      }),
    ).toBe(
      "The run's agent time limit of 60 min was crossed: 62 min spent (phase `implement`, attempt 2). `/approve` raises it to 75 min and continues with a new attempt of `implement`; `/reject <reason>` ends the run.",
    );
    expect(
      describeSpentAgainst(
        { tokens: 1_210, costUsd: 0.04, costComplete: false, wallTimeMinutes: 0.25, attempts: 2 },
        {
          ...config.run,
          wallTimeMinutes: null,
        },
      ),
    ).toBe("1,210 of 1,000 tokens; at least $0.0400 of $2.00; 15 s (no limit); 2 of 6 attempts");
  });
});
