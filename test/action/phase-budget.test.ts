// How long a phase may take in one Actions job: the job's timeout, and an App token's hour, less the
// job's other work; the templates' own timeouts are kept when they fit.
import { describe, expect, it } from "vitest";
import { readActionInputs } from "../../src/action/action-inputs.js";
import { phaseBudgetSeconds, phaseTimeoutFor } from "../../src/action/phase-budget.js";

const base = { "INPUT_DATABASE-URL": "postgres://db/devflow", "INPUT_GITHUB-TOKEN": "ghs_workflow" };

describe("the phase budget of a job", () => {
  it("keeps the templates' timeouts when the longest phase fits the job, and cuts them to fit otherwise", () => {
    const workflow75 = phaseBudgetSeconds({ timeoutMinutes: 75, tokenKind: "workflow" });
    expect(workflow75).toBe(75 * 60 - 600);
    expect(phaseTimeoutFor(undefined, 3600, workflow75)).toBe(undefined);
    // A 60-minute job cannot hold implement's 3,600 s and the rest: every phase gets 50 minutes.
    expect(
      phaseTimeoutFor(undefined, 3600, phaseBudgetSeconds({ timeoutMinutes: 60, tokenKind: "workflow" })),
    ).toBe(3000);
    // GitHub's default job timeout (360 minutes) when the workflow does not say.
    expect(phaseBudgetSeconds({ tokenKind: "workflow" })).toBe(360 * 60 - 600);
    // A configured override is kept when it fits, and cut when it does not.
    expect(phaseTimeoutFor(120, 3600, workflow75)).toBe(120);
    expect(phaseTimeoutFor(7200, 3600, workflow75)).toBe(workflow75);
  });

  it("fits a phase within the hour an App installation token lives, whatever the job's timeout", () => {
    expect(phaseBudgetSeconds({ timeoutMinutes: 75, tokenKind: "app" })).toBe(3000);
    expect(phaseBudgetSeconds({ timeoutMinutes: 30, tokenKind: "app" })).toBe(1200);
  });

  it("tells the two kinds of token apart by the workflow's own token, and counts an unknown one as the workflow's", () => {
    expect(readActionInputs({ ...base, "INPUT_WORKFLOW-TOKEN": "ghs_workflow" }, "/").tokenKind).toBe(
      "workflow",
    );
    expect(readActionInputs({ ...base, "INPUT_WORKFLOW-TOKEN": "ghs_other" }, "/").tokenKind).toBe("app");
    expect(readActionInputs(base, "/").tokenKind).toBe("workflow");
  });

  it("refuses a timeout-minutes that is not a whole number of minutes a job may have, naming it", () => {
    for (const value of ["ninety", "7.5", "5", "400"]) {
      expect(() => readActionInputs({ ...base, "INPUT_TIMEOUT-MINUTES": value }, "/")).toThrow(
        expect.objectContaining({
          code: "action_input_invalid",
          message: expect.stringContaining(`"${value}"`),
        }),
      );
    }
    expect(readActionInputs({ ...base, "INPUT_TIMEOUT-MINUTES": "75" }, "/").timeoutMinutes).toBe(75);
  });
});
