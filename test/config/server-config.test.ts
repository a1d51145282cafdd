import { describe, expect, it } from "vitest";
import { parseServerConfig } from "../../src/config/server-config.js";
import { isDevflowError } from "../../src/errors/index.js";

describe("server config (DEVFLOW_CONFIG)", () => {
  it("defaults to the fake agent, the devflow label and 4 concurrent runs", () => {
    expect(parseServerConfig("", "devflow.yml")).toMatchObject({
      agents: { fake: { preset: "fake", writeDelayMs: 50 } },
      defaultAgent: "fake",
      label: "devflow",
      maxConcurrentRuns: 4,
      engine: { reconcileEverySeconds: 30, shutdownDrainSeconds: 30 },
    });
  });

  it.each([
    { text: "maxConcurrentRuns: 0", says: "maxConcurrentRuns:" },
    { text: "maxConcurrentRuns: lots", says: "maxConcurrentRuns:" },
    {
      text: "defaultAgent: claude",
      says: 'defaultAgent: names no agent defined under "agents" (defined: fake)',
    },
    { text: "agents:\n  Mine: { preset: fake }", says: "agents.Mine" },
    { text: "agents:\n  mine: { preset: rocket }", says: "agents.mine.preset" },
    { text: "agents:\n  mine: { preset: fake, command: [rm, -rf] }", says: "agents.mine" },
    { text: "labell: devflow", says: "labell" },
    { text: "engine: { phaseTimeoutSeconds: -1 }", says: "engine.phaseTimeoutSeconds" },
    { text: "agents: [", says: "not valid YAML" },
  ])("refuses $text, naming the key", ({ text, says }) => {
    let error: unknown;
    try {
      parseServerConfig(text, "/etc/devflow.yml");
    } catch (caught) {
      error = caught;
    }
    expect(isDevflowError(error, "invalid_server_config")).toBe(true);
    expect((error as Error).message).toContain("/etc/devflow.yml");
    expect((error as Error).message).toContain(says);
  });
});
