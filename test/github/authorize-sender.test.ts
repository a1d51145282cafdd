// The one authorization of triggers and commands, with GitHub's answers given as plain values.
import { describe, expect, it } from "vitest";
import { serverConfigSchema } from "../../src/config/server-config.js";
import { authorizeSender } from "../../src/github/authorization/authorize-sender.js";
import type { EventContext } from "../../src/github/event-context.js";
import type { GitHubDeps } from "../../src/github/handlers/github-deps.js";

const deps = { serverConfig: serverConfigSchema.parse({}) } as GitHubDeps;

function context(config: unknown, roles: Record<string, string>, asked: string[] = []): EventContext {
  return {
    deliveryId: "d",
    installationId: 1,
    repository: { owner: "o", name: "r", fullName: "o/r", cloneUrl: "", defaultBranch: "main" },
    loadRepositoryConfig: async () => config,
    permissionOf: async (login) => {
      asked.push(login);
      const role = roles[login];
      return role ? { roleName: role, permission: role } : { failed: true };
    },
    teamsOf: async () => [],
    pullRequestOf: () => Promise.reject(new Error("not asked in these tests")),
    reviewCommentsOf: () => Promise.reject(new Error("not asked in these tests")),
  };
}

const user = (login: string) => ({ login, type: "User" });

describe("authorizeSender", () => {
  it("lets a writer start runs and decide, and a reader or triager neither", async () => {
    const ctx = context({}, { w: "write", r: "read", t: "triage" });
    expect(await authorizeSender(deps, ctx, user("w"))).toMatchObject({
      acts: { allowed: true },
      decides: { allowed: true },
    });
    for (const login of ["r", "t"]) {
      expect(await authorizeSender(deps, ctx, user(login))).toMatchObject({
        acts: { allowed: false },
        decides: { allowed: false },
      });
    }
  });

  it("refuses a bot, devflow itself included, without asking GitHub", async () => {
    const asked: string[] = [];
    const ctx = context({}, { "devflow[bot]": "admin" }, asked);
    for (const bot of [
      { login: "devflow[bot]", type: "Bot" },
      { login: "x[bot]", type: "User" },
    ]) {
      expect((await authorizeSender(deps, ctx, bot)).acts).toMatchObject({ allowed: false });
    }
    expect(asked).toEqual([]);
  });

  it("keeps the named approvers and the issue-author rule for decisions only", async () => {
    const config = { approvers: { minPermission: "write", users: ["alice"], allowIssueAuthor: false } };
    const ctx = context(config, { bob: "write", alice: "write" });
    expect(await authorizeSender(deps, ctx, user("bob"))).toMatchObject({
      acts: { allowed: true },
      decides: { allowed: false },
    });
    expect(await authorizeSender(deps, ctx, user("alice"), "alice")).toMatchObject({
      acts: { allowed: true },
      decides: { allowed: false },
    });
  });

  it("fails closed: no answer from GitHub, or an unreadable config meaning the default write", async () => {
    expect((await authorizeSender(deps, context({}, {}), user("ghost"))).acts.allowed).toBe(false);
    const broken = context({ approvers: { minPermission: "sometimes" } }, { r: "read" });
    expect((await authorizeSender(deps, broken, user("r"))).acts.allowed).toBe(false);
  });

  it("follows a repository that lowers the permission to triage", async () => {
    const ctx = context({ approvers: { minPermission: "triage" } }, { t: "triage", r: "read" });
    expect((await authorizeSender(deps, ctx, user("t"))).acts.allowed).toBe(true);
    expect((await authorizeSender(deps, ctx, user("r"))).acts.allowed).toBe(false);
  });
});
