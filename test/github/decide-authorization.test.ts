import { describe, expect, it } from "vitest";
import { repositoryConfigSchema } from "../../src/config/repository-config.js";
import {
  type AuthorizationInput,
  decideAuthorization,
} from "../../src/github/authorization/decide-authorization.js";

const approvers = repositoryConfigSchema.parse({}).approvers;
const user = (login: string) => ({ login, type: "User" });
const role = (roleName: string, permission = roleName) => ({ roleName, permission });

function decide(overrides: Partial<AuthorizationInput>) {
  return decideAuthorization({ actor: user("alice"), permission: role("write"), approvers, ...overrides });
}

describe("decideAuthorization", () => {
  it.each([
    ["admin", true],
    ["maintain", true],
    ["write", true],
    ["triage", false],
    ["read", false],
    ["none", false],
  ])("a collaborator with %s access may decide: %s", (level, allowed) => {
    expect(decide({ permission: role(level) }).allowed).toBe(allowed);
  });

  it("maps a custom role to its base permission", () => {
    expect(decide({ permission: role("security-reviewer", "write") }).allowed).toBe(true);
    expect(decide({ permission: role("auditor", "read") }).allowed).toBe(false);
  });

  it("refuses bots, devflow itself included, whatever their permission", () => {
    expect(
      decide({ actor: { login: "devflow[bot]", type: "Bot" }, permission: role("admin") }),
    ).toMatchObject({
      allowed: false,
      reason: expect.stringContaining("bots never decide"),
    });
    expect(
      decide({ actor: { login: "renovate[bot]", type: "User" }, permission: role("admin") }).allowed,
    ).toBe(false);
  });

  it("fails closed when the permission lookup failed, and says so", () => {
    expect(decide({ permission: { failed: true } })).toMatchObject({
      allowed: false,
      reason: expect.stringContaining("would not tell devflow what access @alice has"),
    });
  });

  it("tells who may decide when it refuses", () => {
    expect(decide({ permission: role("read") })).toMatchObject({
      allowed: false,
      reason: "@alice has read access; devflow's triggers and commands need write or higher.",
      whoMay: "people with write access or higher",
    });
  });

  it("honours named approvers and teams on top of the permission check", () => {
    const named = repositoryConfigSchema.parse({
      approvers: { users: ["bob"], teams: ["octo/leads"] },
    }).approvers;
    expect(decide({ approvers: named }).allowed).toBe(false);
    expect(decide({ approvers: named, actor: user("Bob") }).allowed).toBe(true);
    expect(decide({ approvers: named, actorTeams: ["leads"] }).allowed).toBe(true);
    expect(decide({ approvers: named, permission: role("read"), actor: user("bob") }).allowed).toBe(false);
  });

  it("lets the issue's author decide unless the repository forbids it", () => {
    expect(decide({ issueAuthor: "alice" }).allowed).toBe(true);
    const strict = repositoryConfigSchema.parse({ approvers: { allowIssueAuthor: false } }).approvers;
    expect(decide({ approvers: strict, issueAuthor: "ALICE" }).allowed).toBe(false);
  });
});
