// `/status` and `/devflow status` answer with the run's phase, the time it has taken and what it has
// cost so far — never a cost it does not know — and, at a budget gate, the limit and the choices.
import { describe, expect, it } from "vitest";
import type { UsageTotals } from "../../src/engine/record-usage.js";
import { describeRunStatus, type StatusFacts } from "../../src/github/handlers/status-reply.js";

const started = new Date("2026-12-05T10:00:00Z");
const none: UsageTotals = {
  inputTokens: 0,
  outputTokens: 0,
  cacheReadTokens: 0,
  cacheWriteTokens: 0,
  costUsd: null,
  costComplete: true,
  models: [],
};
const facts = (
  over: Omit<Partial<StatusFacts>, "run"> & { run?: Partial<StatusFacts["run"]> },
): StatusFacts => ({
  attempt: 2,
  gate: undefined,
  usage: none,
  agentMinutes: 8,
  now: new Date("2026-12-05T10:12:03Z"),
  ...over,
  run: {
    id: "r-1",
    state: "executing",
    currentPhaseKey: "implement",
    createdAt: started,
    startedAt: started,
    finishedAt: null,
    failureReason: null,
    ...over.run,
  },
});

describe("the /status reply", () => {
  it.each([
    [
      "a working run, with its cost",
      facts({ usage: { ...none, inputTokens: 1_700, outputTokens: 145, costUsd: 0.015 } }),
      "devflow run `r-1` is **executing** (phase `implement`, attempt 2).\nTime spent: 12 min 3 s since it started, 8 min 0 s of it agents working. Cost so far: $0.0150 (1,845 tokens).",
    ],
    [
      "a run whose agents reported no usage yet",
      facts({ agentMinutes: 0.5 }),
      "Time spent: 12 min 3 s since it started, 30 s of it agents working. Cost so far: nothing reported yet.",
    ],
    [
      "tokens without a cost",
      facts({ usage: { ...none, outputTokens: 10 } }),
      "Cost so far: unknown (the agents reported 10 tokens but no cost).",
    ],
    [
      "a cost some records lacked",
      facts({ usage: { ...none, outputTokens: 10, costUsd: 2.5, costComplete: false } }),
      "Cost so far: at least $2.50 (10 tokens).",
    ],
    [
      "a run at the budget gate",
      facts({
        run: { state: "awaiting_approval", currentPhaseKey: "spec" },
        attempt: 1,
        gate: {
          key: "budget_exceeded",
          crossing: {
            scope: "run",
            dimension: "tokens",
            phaseKey: "spec",
            attempt: 1,
            limit: 1_000,
            spent: 1_200,
            raisedTo: 3_000,
          },
        },
      }),
      "devflow run `r-1` is **waiting at `budget_exceeded`** (phase `spec`, attempt 1).\nTime spent: 12 min 3 s since it started, 8 min 0 s of it agents working. Cost so far: nothing reported yet.\n**Budget:** The run's token limit of 1,000 tokens was crossed: 1,200 tokens spent (phase `spec`, attempt 1). `/approve` raises it to 3,000 tokens",
    ],
    [
      "a failed run, timed to its end",
      facts({
        run: {
          state: "failed",
          finishedAt: new Date("2026-12-05T11:30:00Z"),
          failureReason: "Limit crossed.",
        },
      }),
      "is **failed** (phase `implement`, attempt 2).\nTime spent: 1 h 30 min since it started, 8 min 0 s of it agents working. Cost so far: nothing reported yet.\n> Limit crossed.",
    ],
  ])("says where %s is, how long it took and what it cost", (_, given, says) => {
    expect(describeRunStatus(given)).toContain(says);
  });
});
