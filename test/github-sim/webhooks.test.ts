// Signed webhook deliveries, payloads built from GitHub's recorded examples (checked against the
// description's webhook schemas and against the REST endpoints), and the App's delivery records.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { verify } from "@octokit/webhooks-methods";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadOpenApi } from "./openapi.js";
import { REPO, type SimClient, startSimFixture, WEBHOOK_SECRET } from "./sim-fixture.js";
import { exampleFor } from "./webhook-examples.js";

interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

describe("GitHub simulator webhooks", () => {
  let client: SimClient;
  let receiver: Server;
  let target: string;
  const received: Received[] = [];
  let answer = 200;
  const api = loadOpenApi();

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        received.push({ headers: req.headers, body });
        res.writeHead(answer, { "content-type": "text/plain" }).end("ok");
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
    target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/api/github/webhooks`;
    client = await startSimFixture();
    client.sim.webhooks.target = target;
    client.sim.state.createIssue(REPO, { title: "Add a thing", body: "Please.", user: "alice" });
  });
  afterAll(async () => {
    await client.sim.close();
    await new Promise((resolve) => receiver.close(resolve));
  });

  it("signs the body with X-Hub-Signature-256 that @octokit/webhooks-methods verifies, with GitHub's headers", async () => {
    const payload = await client.sim.payloads.issueLabeled({
      repo: REPO,
      issue: 1,
      label: "devflow",
      sender: "alice",
    });
    const result = await client.sim.webhooks.deliver("issues", payload, { deliveryId: "d-1" });
    expect(result.status).toBe(200);
    const last = received.at(-1);
    expect(last?.headers).toMatchObject({
      "content-type": "application/json",
      "x-github-event": "issues",
      "x-github-delivery": "d-1",
      "x-github-hook-installation-target-type": "integration",
    });
    expect(last?.headers["user-agent"]).toMatch(/^GitHub-Hookshot\//);
    const signature = String(last?.headers["x-hub-signature-256"]);
    expect(await verify(WEBHOOK_SECRET, last?.body ?? "", signature)).toBe(true);
    expect(await verify("another-secret", last?.body ?? "", signature)).toBe(false);
  });

  it("sends unsigned, wrongly signed or malformed bodies when asked (for rejection tests)", async () => {
    await client.sim.webhooks.deliver("issues", {}, { signWith: false });
    expect(received.at(-1)?.headers["x-hub-signature-256"]).toBeUndefined();
    await client.sim.webhooks.deliver("issues", {}, { signWith: "wrong", rawBody: "{not json" });
    const last = received.at(-1);
    expect(last?.body).toBe("{not json");
    expect(await verify(WEBHOOK_SECRET, last?.body ?? "", String(last?.headers["x-hub-signature-256"]))).toBe(
      false,
    );
  });

  it("builds every payload from the example of its event and action, valid against GitHub's webhook schema", async () => {
    const { sim } = client;
    await sim.state.commitFiles(REPO, "devflow/1-add-a-thing", { "spec.md": "# Spec\n" });
    const pr = await sim.state.createPullRequest(REPO, {
      title: "t",
      head: "devflow/1-add-a-thing",
      base: "main",
      user: "devflow[bot]",
    });
    const token = await client.token();
    const run = await fetch(`${sim.url}/repos/${REPO}/check-runs`, {
      method: "POST",
      headers: { authorization: `token ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        name: "devflow",
        head_sha: pr.pull.headSha,
        actions: [{ label: "Approve", description: "Approve", identifier: "approve" }],
      }),
    });
    const checkRun = ((await run.json()) as { id: number }).id;
    const built: [string, string, Record<string, unknown>][] = [
      ["issues", "opened", await sim.payloads.issuesOpened({ repo: REPO, title: "New", sender: "bob" })],
      [
        "issues",
        "labeled",
        await sim.payloads.issueLabeled({ repo: REPO, issue: 1, label: "devflow", sender: "alice" }),
      ],
      [
        "issues",
        "unlabeled",
        await sim.payloads.issueUnlabeled({ repo: REPO, issue: 1, label: "devflow", sender: "alice" }),
      ],
      [
        "issue_comment",
        "created",
        await sim.payloads.issueCommentCreated({ repo: REPO, issue: 1, body: "/approve", sender: "alice" }),
      ],
      [
        "issue_comment",
        "edited",
        await sim.payloads.issueCommentEdited({
          repo: REPO,
          comment: lastCommentId(client),
          body: "/abort",
          sender: "alice",
        }),
      ],
      [
        "pull_request_review",
        "submitted",
        await sim.payloads.pullRequestReviewSubmitted({
          repo: REPO,
          pull: pr.number,
          body: "/approve",
          state: "approved",
          sender: "alice",
        }),
      ],
      [
        "check_run",
        "requested_action",
        await sim.payloads.checkRunRequestedAction({
          repo: REPO,
          checkRun,
          identifier: "approve",
          sender: "alice",
        }),
      ],
      ["issues", "closed", await sim.payloads.issuesClosed({ repo: REPO, issue: 1, sender: "alice" })],
      [
        "pull_request",
        "closed",
        await sim.payloads.pullRequestClosed({ repo: REPO, pull: pr.number, sender: "alice" }),
      ],
    ];
    const problems: string[] = [];
    for (const [event, action, payload] of built) {
      const check = api.validateWebhook(event, action, payload);
      if (!check.ok) problems.push(`${event}.${action}: ${check.errors.join("; ")}`);
      const exampleKeys = Object.keys(exampleFor(event, action))
        .filter((k) => k !== "enterprise")
        .sort();
      const missing = exampleKeys.filter((key) => !(key in payload));
      if (missing.length > 0) problems.push(`${event}.${action} lacks the example's ${missing.join(", ")}`);
      expect(payload.installation).toEqual(
        expect.objectContaining({ id: sim.state.repo(REPO).installationId }),
      );
    }
    expect(problems).toEqual([]);
  });

  it("makes payloads agree with the REST endpoints (the comment exists, the label is on the issue)", async () => {
    const labeled = await client.sim.payloads.issueLabeled({
      repo: REPO,
      issue: 1,
      label: "devflow",
      sender: "alice",
    });
    const issue = await client.call("GET", `/repos/${REPO}/issues/1`);
    expect((issue.body as { labels: { name: string }[] }).labels.map((l) => l.name)).toContain("devflow");
    expect((labeled.issue as { id: number }).id).toBe((issue.body as { id: number }).id);
    const created = await client.sim.payloads.issueCommentCreated({
      repo: REPO,
      issue: 1,
      body: "/status",
      sender: "alice",
    });
    const id = (created.comment as { id: number }).id;
    const comment = await client.call("GET", `/repos/${REPO}/issues/comments/${id}`);
    expect(comment.body).toMatchObject({ id, body: "/status", user: { login: "alice", type: "User" } });
  });

  it("marks a bot sender as a Bot in the payload", async () => {
    client.sim.script.addBot("helper[bot]");
    const payload = await client.sim.payloads.issueCommentCreated({
      repo: REPO,
      issue: 1,
      body: "/approve",
      sender: "helper[bot]",
    });
    expect(payload.sender).toMatchObject({ login: "helper[bot]", type: "Bot" });
  });

  it("records deliveries for GET /app/hook/deliveries: OK for a 2xx, anything else for a failure", async () => {
    answer = 500;
    const failed = await client.sim.webhooks.deliver("ping", { zen: "z" });
    answer = 200;
    const ok = await client.sim.webhooks.deliver("ping", { zen: "z" });
    const list = await client.call("GET", "/app/hook/deliveries?per_page=100", { auth: "app" });
    const items = list.body as { id: number; guid: string; status: string; status_code: number }[];
    expect(items.find((d) => d.id === failed.id)).toMatchObject({
      status_code: 500,
      status: "Invalid HTTP Response: 500",
    });
    expect(items.find((d) => d.id === ok.id)).toMatchObject({ status_code: 200, status: "OK" });
    expect(items[0]?.id).toBe(ok.id); // newest first
  });

  it("redelivers a delivery with the same X-GitHub-Delivery and records it as a redelivery", async () => {
    answer = 503;
    const failed = await client.sim.webhooks.deliver("issues", { action: "opened" });
    answer = 200;
    const res = await client.call("POST", `/app/hook/deliveries/${failed.id}/attempts`, { auth: "app" });
    expect(res.status).toBe(202);
    await client.sim.webhooks.settled();
    expect(received.at(-1)?.headers["x-github-delivery"]).toBe(failed.guid);
    const again = client.sim.state.deliveries.at(-1);
    expect(again).toMatchObject({ guid: failed.guid, redelivery: true, status: "OK" });
  });

  it("pages deliveries with a cursor in the Link header", async () => {
    const first = await client.call("GET", "/app/hook/deliveries?per_page=2", { auth: "app" });
    const next = /<([^>]+)>; rel="next"/.exec(first.headers.get("link") ?? "")?.[1] ?? "";
    expect(next).toContain("cursor=");
    const second = await client.call("GET", next.replace(client.sim.url, ""), { auth: "app" });
    const ids = [...(first.body as { id: number }[]), ...(second.body as { id: number }[])].map((d) => d.id);
    expect(new Set(ids).size).toBe(4);
  });

  it("records an unreachable target as failed to connect, status 0", async () => {
    const result = await client.sim.webhooks.deliver("ping", {}, { target: "http://127.0.0.1:9/nothing" });
    expect(result.status).toBe(0);
    expect(client.sim.state.deliveries.find((d) => d.id === result.id)?.status).toBe(
      "failed to connect to host",
    );
  });
});

function lastCommentId(client: SimClient): number {
  return Math.max(...client.sim.state.comments.keys());
}
