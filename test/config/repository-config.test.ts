import { describe, expect, it } from "vitest";
import { parseRepositoryConfig } from "../../src/config/repository-config.js";
import { isDevflowError } from "../../src/errors/index.js";

const context = { operatorAgents: ["claude", "codex"] };

describe(".github/devflow.yml", () => {
  it("accepts an empty file with safe defaults", () => {
    expect(parseRepositoryConfig({}, context)).toMatchObject({
      abortOnClose: true,
      abortOnUnlabel: false,
      approvers: { minPermission: "write", allowIssueAuthor: true },
    });
  });

  it.each([
    [{ approvers: { minPermission: "owner" } }, "`approvers.minPermission`"],
    [{ labl: "devflow" }, "labl"],
    [{ template: "Development" }, "`template`"],
    [{ gates: ["Spec Approved"] }, "`gates.0`"],
    [
      { agents: { implementer: "my-own-cli" } },
      '`agents.implementer`: "my-own-cli" is not an agent of this devflow server (it has: claude, codex)',
    ],
    [{ agents: { implementer: { command: ["rm", "-rf", "/"] } } }, "`agents.implementer`"],
    [{ abortOnClose: "yes" }, "`abortOnClose`"],
  ])("refuses %j, naming %s", (raw, says) => {
    let error: unknown;
    try {
      parseRepositoryConfig(raw, context);
    } catch (caught) {
      error = caught;
    }
    expect(isDevflowError(error, "invalid_repository_config")).toBe(true);
    expect((error as Error).message).toContain(says);
  });

  it("lets a repository pick the operator's agents per role", () => {
    expect(
      parseRepositoryConfig({ agents: { implementer: "codex", reviewer: "claude" } }, context).agents,
    ).toEqual({
      implementer: "codex",
      reviewer: "claude",
    });
  });
});
