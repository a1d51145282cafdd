// Every route the simulator serves answers what GitHub's OpenAPI description (@octokit/openapi) says it
// answers, for success and for the errors GitHub gives: a table of calls, each response validated
// against the schema of its operation and status.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueManifestCode } from "./app-manifests.js";
import { MAX_OUTPUT_CHARS } from "./check-runs.js";
import { loadOpenApi } from "./openapi.js";
import { type Ids, restCalls } from "./rest-calls.js";
import { addReview } from "./review-comments.js";
import { REPO, type SimClient, startSimFixture } from "./sim-fixture.js";
import { allRoutes } from "./start-github-simulator.js";

const r = `/repos/${REPO}`;

describe.each([
  { mode: "github.com", ghe: false, flavor: "api.github.com" },
  { mode: "GitHub Enterprise Server (/api/v3)", ghe: true, flavor: "ghes-3.19" },
] as const)(
  "GitHub simulator REST endpoints, $mode, checked against the $flavor description",
  ({ ghe, flavor }) => {
    let client: SimClient;
    let reviewIds = { reviewPull: 0, review: 0 };
    const api = loadOpenApi(flavor);

    beforeAll(async () => {
      client = await startSimFixture({ ghe });
      const { sim } = client;
      sim.state.createIssue(REPO, { title: "Add a thing", body: "Please add a thing.", user: "alice" });
      sim.script.setPermission(REPO, "alice", "write");
      await sim.state.commitFiles(REPO, "devflow/1-add-a-thing", { "spec.md": "# Spec\n" });
      // A pull request reviewed with two inline comments, then merged.
      await sim.state.commitFiles(REPO, "devflow/2-review-me", { "notes.md": "one\ntwo\nthree\n" });
      const reviewed = await sim.state.createPullRequest(REPO, {
        title: "Review me",
        head: "devflow/2-review-me",
        base: "main",
        user: "alice",
      });
      const review = await addReview(sim.state, reviewed, {
        user: "alice",
        body: "Please change these.",
        state: "CHANGES_REQUESTED",
        comments: [
          { path: "notes.md", line: 2, body: "Say 2." },
          { path: "notes.md", line: 3, body: "Say 3." },
        ],
      });
      reviewIds = { reviewPull: reviewed.number, review: review.id };
      sim.state.markMerged(REPO, reviewed.number);
      // A delivery for the deliveries endpoints (to a port nobody listens on: recorded as failed).
      await sim.webhooks.deliver("ping", { zen: "Keep it simple." }, { target: "http://127.0.0.1:9/hooks" });
    });
    afterAll(() => client.sim.close());

    it("answers every call of the table with its documented status and a body that validates", async () => {
      const ids: Ids = {
        installation: client.sim.state.installationFor("acme").id,
        issue: 1,
        comment: 0,
        pull: 0,
        checkRun: 0,
        headSha: "",
        delivery: 0,
        ...reviewIds,
        manifestCode: issueManifestCode(client.sim.state, {
          name: "devflow",
          url: "https://example.com/devflow",
          hook_attributes: { url: "https://example.com/api/github/webhooks" },
          redirect_url: "https://example.com/setup/callback",
          default_permissions: { issues: "write", metadata: "read" },
          default_events: ["issues"],
        }),
      };
      const problems: string[] = [];
      for (const row of restCalls) {
        const path = row.path(ids);
        const res = await client.call(row.method, path, {
          auth: row.auth,
          body: row.body?.(ids),
          accept: row.accept,
        });
        if (res.status !== row.status)
          problems.push(
            `${row.name}: ${row.method} ${path} → ${res.status}, want ${row.status}: ${res.text.slice(0, 200)}`,
          );
        const check = api.validateResponse(row.method, path.split("?")[0] ?? path, res.status, res.body);
        if (!check.ok)
          problems.push(
            `${row.name}: ${check.operationId} ${res.status} does not validate: ${check.errors.join("; ")}`,
          );
        row.keep?.(res.body, ids);
      }
      expect(problems).toEqual([]);
    });

    it("serves only paths GitHub documents, and the table exercises every one of them", () => {
      const served = allRoutes().map((route) => `${route.method} ${route.template}`);
      const undocumented = allRoutes().filter((route) => !api.hasOperation(route.method, route.template));
      expect(undocumented.map((route) => `${route.method} ${route.template}`)).toEqual([]);
      const exercised = new Set(client.sim.requests.map((req) => `${req.method} ${req.route}`));
      expect(served.filter((route) => !exercised.has(route))).toEqual([]);
    });

    it("is checked by a strict validator: a comment without its author does not validate", async () => {
      const res = await client.call("GET", `${r}/issues/1/comments`);
      const [comment] = res.body as Record<string, unknown>[];
      const { user: _user, ...withoutUser } = comment ?? {};
      const check = api.validateResponse("GET", `${r}/issues/comments/1`, 200, withoutUser);
      expect(check.ok).toBe(false);
      expect(check.errors.join()).toContain("user");
    });

    it("answers the raw media type with the file's text, as Probot's context.config reads .github/devflow.yml", async () => {
      const res = await client.call("GET", `${r}/contents/.github/devflow.yml`, {
        accept: "application/vnd.github.v3.raw",
      });
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/plain; charset=utf-8/);
      expect(res.text).toBe("label: devflow\n");
    });

    it("answers unknown routes 404 with GitHub's error body", async () => {
      const res = await client.call("GET", "/repos/acme/widgets/no-such-thing");
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ message: "Not Found", status: "404" });
      expect(api.validateComponent("basic-error", res.body).ok).toBe(true);
    });

    it("sends rate-limit headers on every REST response", async () => {
      const res = await client.call("GET", r);
      for (const header of [
        "x-ratelimit-limit",
        "x-ratelimit-remaining",
        "x-ratelimit-reset",
        "x-ratelimit-used",
      ]) {
        expect(res.headers.get(header)).toMatch(/^\d+$/);
      }
      expect(res.headers.get("x-ratelimit-resource")).toBe("core");
    });

    it("pages lists with GitHub's Link header", async () => {
      for (let n = 0; n < 3; n++)
        await client.call("POST", `${r}/issues/1/comments`, { body: { body: `c${n}` } });
      const first = await client.call("GET", `${r}/issues/1/comments?per_page=2`);
      expect((first.body as unknown[]).length).toBe(2);
      const next = /<([^>]+)>; rel="next"/.exec(first.headers.get("link") ?? "")?.[1];
      expect(next).toContain("page=2");
    });

    it("keeps an edited comment as one comment with its earlier bodies, so re-posting shows up", async () => {
      const posted = await client.call("POST", `${r}/issues/1/comments`, { body: { body: "v1" } });
      const id = (posted.body as { id: number }).id;
      await client.call("PATCH", `${r}/issues/comments/${id}`, { body: { body: "v2" } });
      const comment = client.sim.state.comments.get(id);
      expect(comment?.body).toBe("v2");
      expect(comment?.history).toEqual(["v1"]);
      expect(comment?.user).toBe("devflow[bot]");
    });

    it("appends annotations across check run updates and keeps the run unchanged on a 422", async () => {
      const run = client.sim.state.checkRuns.values().next().value;
      expect(run?.annotations).toHaveLength(1);
      expect(run?.output.text).toHaveLength(MAX_OUTPUT_CHARS);
      expect(run?.conclusion).toBe("success");
    });

    it("logs every request without credentials or installation tokens", async () => {
      const token = await client.token();
      const log = JSON.stringify(client.sim.requests);
      expect(log).not.toContain(token);
      expect(client.sim.requests.every((req) => !("authorization" in req.headers))).toBe(true);
      expect(client.sim.requests.some((req) => req.auth === "app")).toBe(true);
    });
  },
);
