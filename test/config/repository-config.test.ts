import { describe, expect, it } from "vitest";
import { DEFAULT_BUDGETS } from "../../src/config/budgets.js";
import { parseRepositoryConfig, unreadableRepositoryConfig } from "../../src/config/repository-config.js";
import { isDevflowError } from "../../src/errors/index.js";

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
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
    [
      { approvers: { minPermission: "owner" } },
      "`approvers.minPermission`: Invalid option: expected one of",
      "set it to one of read, triage, write, maintain, admin",
    ],
    [
      { labl: "devflow" },
      "`labl`: not a devflow setting",
      "correct its spelling; the settings are label, template, gates,",
    ],
    [{ approvers: { user: ["a"] } }, "`approvers.user`: not a devflow setting", "under `approvers` are"],
    [{ template: "Development" }, "`template`: must be a template name", "e.g. `template: development`"],
    [{ gates: ["Spec Approved"] }, "`gates.0`: must be a gate key", "e.g. `gates: [spec_approved]`"],
    [
      { agents: { implementer: "my-own-cli" } },
      '`agents.implementer`: "my-own-cli" is not an agent of this devflow server (it has: claude, codex)',
      "name one of those agents",
    ],
    [
      { agents: { implementer: { command: ["rm", "-rf", "/"] } } },
      "`agents.implementer`: Invalid input: expected string",
      "`agents: { implementer: codex }`",
    ],
    [{ abortOnClose: "yes" }, "`abortOnClose`: Invalid input: expected boolean", "`true` or `false`"],
    ["just words", "the file: Invalid input: expected object", "write a YAML map of settings"],
  ])("refuses %j, naming the key and problem (%s) and the fix (%s)", (raw, says, fix) => {
    let error: unknown;
    try {
      parseRepositoryConfig(raw, context);
    } catch (caught) {
      error = caught;
    }
    expect(isDevflowError(error, "invalid_repository_config")).toBe(true);
    expect((error as Error).message).toContain(says);
    expect((error as Error).message).toMatch(new RegExp(`Fix: [^\\n]*${escapeRegExp(fix)}`));
  });

  it("turns a file Probot could not parse as YAML into the same error, with the parser's line", () => {
    const parserError = new Error("Nested mappings are not allowed in compact mappings at line 2, column 8:");
    const probotError = new Error(
      "[@probot/octokit-plugin-config] Configuration could not be parsed from https://x/contents/.github%2Fdevflow.yml (invalid YAML)",
      { cause: parserError },
    );
    const error = unreadableRepositoryConfig(probotError);
    expect(isDevflowError(error, "invalid_repository_config")).toBe(true);
    expect(error?.message).toContain("it is not valid YAML (Nested mappings are not allowed");
    expect(error?.message).toContain("line 2, column 8");
    expect(error?.recoveryHint).toContain("Fix the named key");
    // Anything else (GitHub down) is not the repository's fault and is not turned into a refusal.
    expect(unreadableRepositoryConfig(Object.assign(new Error("Server Error"), { status: 500 }))).toBe(
      undefined,
    );
  });

  it("lets a repository pick the operator's agents per role", () => {
    expect(
      parseRepositoryConfig({ agents: { implementer: "codex", reviewer: "claude" } }, context).agents,
    ).toEqual({
      implementer: "codex",
      reviewer: "claude",
    });
  });

  describe("budgets", () => {
    const server = {
      ...DEFAULT_BUDGETS,
      run: { ...DEFAULT_BUDGETS.run, costUsd: 50, tokens: null },
    };
    const withServer = { ...context, serverBudgets: server };

    it("takes limits lower than the server's (and any where the server sets none)", () => {
      const budgets = { run: { costUsd: 5, tokens: 2_000_000 }, phase: { wallTimeMinutes: 30 } };
      expect(parseRepositoryConfig({ budgets }, withServer).budgets).toEqual(budgets);
    });

    it.each([
      [
        { run: { costUsd: 80 } },
        "`budgets.run.costUsd`: 80 is above this server's limit of 50; a repository may lower a budget, never raise it",
        "set it to 50 or less, or remove it",
      ],
      [
        { phase: { attempts: 6 } },
        "`budgets.phase.attempts`: 6 is above this server's limit of 5",
        "set it to 5 or less",
      ],
      [{ run: { costUsd: null } }, "`budgets.run.costUsd`: Invalid input", "set it to lower limits"],
      [
        { run: { costUsd: 0 } },
        "`budgets.run.costUsd`: found a value of 0 or less",
        "set it to lower limits",
      ],
      [
        { raiseBy: { costUsd: 100 } },
        "`budgets.raiseBy`: not a devflow setting",
        "under `budgets` are run, phase",
      ],
      [{ run: { cost: 1 } }, "`budgets.run.cost`: not a devflow setting", "tokens, costUsd, wallTimeMinutes"],
    ])(
      "cannot raise a limit above the server's: %j is refused (%s), with the fix (%s)",
      (budgets, says, fix) => {
        let error: unknown;
        try {
          parseRepositoryConfig({ budgets }, withServer);
        } catch (caught) {
          error = caught;
        }
        expect(isDevflowError(error, "invalid_repository_config")).toBe(true);
        expect((error as Error).message).toContain(says);
        expect((error as Error).message).toMatch(new RegExp(`Fix: [^\\n]*${escapeRegExp(fix)}`));
      },
    );
  });
});
