// The server config's refusals as a newcomer meets them: a YAML syntax error says where (line, column
// and the key whose value it is in) with the lines around it and how to fix YAML — no dangling colon,
// no "named key" that is never named; a mistyped key gets the key it probably meant.
import { describe, expect, it } from "vitest";
import { parseServerConfig } from "../../src/config/server-config.js";
import { type DevflowError, isDevflowError } from "../../src/errors/index.js";

function refusal(text: string): DevflowError {
  try {
    parseServerConfig(text, "/etc/devflow.yml");
  } catch (error) {
    if (isDevflowError(error, "invalid_server_config")) return error;
    throw error;
  }
  throw new Error("the config was accepted");
}

describe("server config refusals", () => {
  it("names the line, the column and the enclosing key of a YAML syntax error, and shows the lines", () => {
    const error = refusal("agents:\n  mine: { preset: fake\ndefaultAgent: mine\n");
    const [first, ...rest] = error.message.split("\n");
    expect(first).toBe(
      "/etc/devflow.yml is not valid YAML or JSON: line 3, column 1, in the value of `agents.mine` (line 2): " +
        "Flow map in block collection must be sufficiently indented and end with a }.",
    );
    expect(rest).toEqual(["  2 |   mine: { preset: fake", "  3 | defaultAgent: mine"]);
    expect(error.message).not.toMatch(/:\n|:$/);
    expect(error.recoveryHint).toContain("Fix the YAML at line 3");
    expect(error.recoveryHint).not.toContain("named key");
    expect(error.details).toMatchObject({ line: 3, column: 1, key: "agents.mine" });
  });

  it("says which top-level key holds an unclosed list", () => {
    const error = refusal("defaultAgent: fake\nlabel: [devflow\n");
    expect(error.message).toContain("in the value of `label` (line 2)");
    expect(error.message).toContain("end with a ]");
  });

  it.each([
    {
      text: "maxConcurentRuns: 3",
      says: 'maxConcurentRuns: not a setting (did you mean "maxConcurrentRuns"?); the settings are agents, defaultAgent, label,',
    },
    {
      text: "engine:\n  shutdownDrainSecond: 2",
      says: 'engine.shutdownDrainSecond: not a setting (did you mean "shutdownDrainSeconds"?); the settings under engine are',
    },
    { text: "defaultagent: fake", says: 'defaultagent: not a setting (did you mean "defaultAgent"?)' },
    { text: "colour: blue", says: "colour: not a setting; the settings are agents," },
  ])("suggests the key probably meant for $text", ({ text, says }) => {
    expect(refusal(text).message).toContain(says);
  });
});
