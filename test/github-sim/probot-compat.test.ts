// A bare Probot 14 app (not devflow's) against the simulator in GHE mode, configured the way devflow's
// server is (GHE_HOST/GHE_PROTOCOL): it accepts the simulator's signed webhooks, gets an installation
// token with its App JWT, reads .github/devflow.yml through context.config, and writes through Octokit.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createNodeMiddleware, createProbot, ProbotOctokit } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  APP_ID,
  appPrivateKey,
  REPO,
  type SimClient,
  startSimFixture,
  WEBHOOK_SECRET,
} from "./sim-fixture.js";

describe("Probot 14 against the GitHub simulator (GHE mode)", () => {
  let client: SimClient;
  let server: Server;
  const seen: { config?: unknown; permission?: unknown; errors: unknown[] } = { errors: [] };

  beforeAll(async () => {
    client = await startSimFixture({ ghe: true });
    client.sim.state.createIssue(REPO, { title: "Add a thing", user: "alice" });
    client.sim.script.setPermission(REPO, "alice", "maintain");
    const probot = createProbot({
      env: {
        APP_ID: String(APP_ID),
        PRIVATE_KEY: appPrivateKey(),
        WEBHOOK_SECRET,
        GHE_HOST: client.sim.gheHost,
        GHE_PROTOCOL: "http",
        LOG_LEVEL: "fatal",
      },
      overrides: { Octokit: ProbotOctokit.defaults({ throttle: { enabled: false } }) },
    });
    const middleware = await createNodeMiddleware(
      (app) => {
        app.on("issues.labeled", async (context) => {
          try {
            seen.config = await context.config("devflow.yml");
            await context.octokit.rest.reactions.createForIssue(context.issue({ content: "eyes" }));
            const { data } = await context.octokit.rest.issues.createComment(
              context.issue({ body: "queued" }),
            );
            await context.octokit.rest.issues.updateComment(
              context.repo({ comment_id: data.id, body: "running" }),
            );
            const permission = await context.octokit.rest.repos.getCollaboratorPermissionLevel(
              context.repo({ username: "alice" }),
            );
            seen.permission = permission.data;
          } catch (error) {
            seen.errors.push(error);
          }
        });
      },
      { probot },
    );
    server = createServer((req, res) => {
      void middleware(req, res, () => res.writeHead(404).end());
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    client.sim.webhooks.target = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`;
  });
  afterAll(async () => {
    await client.sim.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it("handles a signed issues.labeled delivery: token, config, reaction, comment edited in place, permission", async () => {
    const payload = await client.sim.payloads.issueLabeled({
      repo: REPO,
      issue: 1,
      label: "devflow",
      sender: "alice",
    });
    const result = await client.sim.webhooks.deliver("issues", payload);
    expect(result.status).toBe(200);
    expect(seen.errors).toEqual([]);
    expect(seen.config).toEqual({ label: "devflow" });
    expect(seen.permission).toMatchObject({ permission: "write", role_name: "maintain" });
    const comments = [...client.sim.state.comments.values()];
    expect(comments.map((c) => [c.body, c.history, c.user])).toEqual([
      ["running", ["queued"], "devflow[bot]"],
    ]);
    expect(client.sim.state.issue(REPO, 1).reactions).toMatchObject([
      { content: "eyes", user: "devflow[bot]" },
    ]);
    const tokenRequests = client.sim.requests.filter(
      (r) => r.route === "/app/installations/{installation_id}/access_tokens",
    );
    expect(tokenRequests).toMatchObject([
      { auth: "app", status: 201, path: expect.stringMatching(/^\/api\/v3\//) },
    ]);
  });

  it("is refused by Probot when the signature is wrong, and nothing is written", async () => {
    const before = client.sim.state.comments.size;
    const payload = await client.sim.payloads.issueLabeled({
      repo: REPO,
      issue: 1,
      label: "devflow",
      sender: "alice",
    });
    const result = await client.sim.webhooks.deliver("issues", payload, { signWith: "not-the-secret" });
    expect(result.status).toBeGreaterThanOrEqual(400);
    expect(result.status).toBeLessThan(500);
    expect(client.sim.state.comments.size).toBe(before);
  });
});
