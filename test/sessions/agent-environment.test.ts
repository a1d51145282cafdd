import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isDevflowError } from "../../src/errors/index.js";
import {
  buildAgentEnvironment,
  DEVFLOW_SECRET_VARIABLES,
  passThroughProblem,
} from "../../src/sessions/agent-environment.js";

const contract = {
  DEVFLOW_PROMPT_FILE: "/data/sessions/s1/prompts/p.json",
  DEVFLOW_ARTIFACT_PATH: "/data/workspaces/r1/artifacts/spec-1.json",
  DEVFLOW_ARTIFACT_SCHEMA: "/app/templates/schemas/dev/spec@1.json",
  DEVFLOW_RUN_ID: "r1",
  DEVFLOW_PHASE: "spec",
  DEVFLOW_ATTEMPT: "1",
};

/** A worker's environment: every secret devflow holds, unrelated variables, and the agent's key. */
function workerEnvironment() {
  const canaries: Record<string, string> = {};
  for (const name of [
    ...DEVFLOW_SECRET_VARIABLES,
    "DEVFLOW_CONFIG",
    "DEVFLOW_DATA_DIR",
    "AWS_SECRET_ACCESS_KEY",
  ])
    canaries[name] = `canary-${name}-${randomUUID()}`;
  const source = {
    ...canaries,
    PATH: "/usr/local/bin:/usr/bin",
    HOME: "/root",
    LANG: "de_DE.UTF-8",
    SSH_AUTH_SOCK: "/tmp/ssh-agent.sock",
    ANTHROPIC_API_KEY: "sk-ant-agent",
  };
  return { canaries, source };
}

describe("buildAgentEnvironment", () => {
  it("holds PATH, the session's HOME, LANG, TERM, the contract and the named pass-through variables — nothing else", () => {
    const { canaries, source } = workerEnvironment();
    const env = buildAgentEnvironment({
      home: "/data/sessions/s1/home",
      passThrough: ["ANTHROPIC_API_KEY", "NOT_SET_ANYWHERE"],
      contract,
      source,
    });
    expect(env).toEqual({
      PATH: "/usr/local/bin:/usr/bin",
      HOME: "/data/sessions/s1/home",
      LANG: "de_DE.UTF-8",
      TERM: "xterm-256color",
      ANTHROPIC_API_KEY: "sk-ant-agent",
      ...contract,
    });
    const text = JSON.stringify(env);
    for (const canary of Object.values(canaries)) expect(text).not.toContain(canary);
    expect(text).not.toContain("ssh-agent");
  });

  it("defaults LANG to C.UTF-8, TERM to xterm-256color and PATH to the system directories", () => {
    const env = buildAgentEnvironment({ home: "/h", passThrough: [], contract: {}, source: {} });
    expect(env).toEqual({
      PATH: "/usr/local/bin:/usr/bin:/bin",
      HOME: "/h",
      LANG: "C.UTF-8",
      TERM: "xterm-256color",
    });
  });

  it("reads process.env when no source is given", () => {
    const env = buildAgentEnvironment({ home: "/h", passThrough: [], contract: {} });
    expect(env.PATH).toBe(process.env.PATH || "/usr/local/bin:/usr/bin:/bin");
  });

  it.each([
    ...DEVFLOW_SECRET_VARIABLES,
    "DEVFLOW_CONFIG",
    "devflow_host_id",
    "database_url",
    "HOME",
    "A-B",
    "",
  ])("refuses to pass %j through, naming it", (name) => {
    const { source } = workerEnvironment();
    let error: unknown;
    try {
      buildAgentEnvironment({ home: "/h", passThrough: ["ANTHROPIC_API_KEY", name], contract, source });
    } catch (caught) {
      error = caught;
    }
    expect(isDevflowError(error, "agent_passthrough_forbidden")).toBe(true);
    expect((error as Error & { class: string }).class).toBe("bad_input");
    expect((error as Error).message).toContain(`variable ${name} `);
    expect(passThroughProblem(name)).toBeDefined();
  });

  it("accepts only DEVFLOW_* names as contract variables", () => {
    expect(() =>
      buildAgentEnvironment({ home: "/h", passThrough: [], contract: { PATH: "/evil" } }),
    ).toThrowError(/not a DEVFLOW_\* name/);
  });
});
