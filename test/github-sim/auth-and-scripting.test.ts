// Authentication as GitHub enforces it (App JWT for /app, installation tokens for repositories,
// permissions per installation), scripted failures, and collaborator roles and bots.
import { generateKeyPairSync } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAppJwt } from "./app-jwt.js";
import { loadOpenApi } from "./openapi.js";
import { APP_ID, appPrivateKey, REPO, type SimClient, startSimFixture } from "./sim-fixture.js";

const r = `/repos/${REPO}`;

describe("GitHub simulator authentication", () => {
  let client: SimClient;
  beforeAll(async () => {
    client = await startSimFixture();
    await client.sim.state.createRepository("other-org", "secret");
  });
  afterAll(() => client.sim.close());

  it("refuses repository endpoints without a token (401 Requires authentication) or with a bad one (401 Bad credentials)", async () => {
    expect((await client.call("GET", r, { auth: "none" })).body).toMatchObject({
      message: "Requires authentication",
    });
    const bad = await client.call("GET", r, { auth: "token ghs_not-a-token" });
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ message: "Bad credentials" });
  });

  it("refuses a token after it expired", async () => {
    const fresh = await startSimFixture();
    try {
      expect((await fresh.call("GET", r)).status).toBe(200);
      fresh.sim.state.expireTokens();
      expect((await fresh.call("GET", r)).status).toBe(401);
    } finally {
      await fresh.sim.close();
    }
  });

  it("accepts the token as `token <t>` and as `Bearer <t>`", async () => {
    const token = await client.token();
    expect((await client.call("GET", r, { auth: `token ${token}` })).status).toBe(200);
    expect((await client.call("GET", r, { auth: `Bearer ${token}` })).status).toBe(200);
  });

  it("refuses App endpoints with anything but a JWT signed by the app's key, not expired, issued for the app", async () => {
    const otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
      type: "pkcs8",
      format: "pem",
    });
    const cases = {
      installationToken: `token ${await client.token()}`,
      otherKey: `Bearer ${createAppJwt(APP_ID, String(otherKey))}`,
      otherApp: `Bearer ${createAppJwt(APP_ID + 1, appPrivateKey())}`,
      expired: `Bearer ${createAppJwt(APP_ID, appPrivateKey(), Date.now() - 3600_000)}`,
    };
    for (const [name, auth] of Object.entries(cases)) {
      const res = await client.call("GET", "/app", { auth });
      expect([name, res.status]).toEqual([name, 401]);
    }
    expect((await client.call("GET", "/app", { auth: "app" })).status).toBe(200);
  });

  it("hides a repository of another installation behind 404", async () => {
    const res = await client.call("GET", "/repos/other-org/secret");
    expect(res.status).toBe(404);
  });

  it("answers 403 Resource not accessible by integration when the installation lacks the permission", async () => {
    const limited = await startSimFixture({ installationPermissions: { metadata: "read", issues: "read" } });
    try {
      expect((await limited.call("GET", `${r}/issues/1`)).status).toBe(404); // no issue yet, but allowed
      const res = await limited.call("POST", `${r}/check-runs`, {
        body: { name: "x", head_sha: "0".repeat(40) },
      });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ message: "Resource not accessible by integration" });
    } finally {
      await limited.sim.close();
    }
  });
});

describe("GitHub simulator scripted failures", () => {
  let client: SimClient;
  const api = loadOpenApi();
  beforeAll(async () => {
    client = await startSimFixture();
    client.sim.state.createIssue(REPO, { title: "t", user: "alice" });
  });
  afterAll(() => client.sim.close());

  it("fails only the next matching request with a scripted 500, then serves the route again", async () => {
    client.sim.script.failNext("POST", "/repos/{owner}/{repo}/issues/{n}/comments", { status: 500 });
    const failed = await client.call("POST", `${r}/issues/1/comments`, { body: { body: "hi" } });
    expect(failed.status).toBe(500);
    expect(api.validateComponent("basic-error", failed.body).ok).toBe(true);
    expect(client.sim.state.comments.size).toBe(0);
    expect((await client.call("POST", `${r}/issues/1/comments`, { body: { body: "hi" } })).status).toBe(201);
  });

  it("answers a scripted secondary rate limit with 403, retry-after and GitHub's message, and changes nothing", async () => {
    const before = client.sim.state.comments.size;
    client.sim.script.failNext("POST", "/repos/*", { status: 403, retryAfter: 7, secondaryRateLimit: true });
    const res = await client.call("POST", `${r}/issues/1/comments`, { body: { body: "again" } });
    expect(res.status).toBe(403);
    expect(res.headers.get("retry-after")).toBe("7");
    expect((res.body as { message: string }).message).toMatch(/secondary rate limit/i);
    expect(client.sim.state.comments.size).toBe(before);
  });

  it("can fail a request after its write took effect, the case a retried create must not duplicate", async () => {
    const before = client.sim.state.comments.size;
    client.sim.script.failNext("POST", /\/comments$/, { status: 502, afterEffect: true });
    expect((await client.call("POST", `${r}/issues/1/comments`, { body: { body: "once" } })).status).toBe(
      502,
    );
    expect(client.sim.state.comments.size).toBe(before + 1);
  });

  it("fails a request as many times as scripted", async () => {
    client.sim.script.failNext("GET", r, { status: 503 }, { times: 2 });
    const statuses = [];
    for (let n = 0; n < 3; n++) statuses.push((await client.call("GET", r)).status);
    expect(statuses).toEqual([503, 503, 200]);
  });
});

describe("GitHub simulator collaborators and bots", () => {
  let client: SimClient;
  beforeAll(async () => {
    client = await startSimFixture();
  });
  afterAll(() => client.sim.close());

  it.each([
    ["admin", "admin"],
    ["maintain", "write"],
    ["write", "write"],
    ["triage", "read"],
    ["read", "read"],
    ["none", "none"],
  ] as const)("reports role %s with the legacy permission %s, as GitHub does", async (role, permission) => {
    client.sim.script.setPermission(REPO, `user-${role}`, role);
    const res = await client.call("GET", `${r}/collaborators/user-${role}/permission`);
    expect(res.body).toMatchObject({
      permission,
      role_name: role,
      user: { login: `user-${role}`, role_name: role },
    });
  });

  it("gives a user nobody granted anything `none` on a private repository", async () => {
    client.sim.state.user("stranger");
    const res = await client.call("GET", `${r}/collaborators/stranger/permission`);
    expect(res.body).toMatchObject({ permission: "none", role_name: "none" });
  });

  it("types bots as Bot, the app's own bot included", async () => {
    client.sim.script.addBot("renovate[bot]");
    client.sim.script.setPermission(REPO, "renovate[bot]", "write");
    const res = await client.call(
      "GET",
      `${r}/collaborators/${encodeURIComponent("renovate[bot]")}/permission`,
    );
    expect(res.body).toMatchObject({ permission: "write", user: { type: "Bot" } });
    expect(client.sim.state.appBot()).toMatchObject({ login: "devflow[bot]", type: "Bot" });
  });
});
