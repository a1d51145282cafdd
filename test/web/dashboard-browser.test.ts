// Issue 15's "must show", in headless Chromium against devflow (web and worker processes) and the GitHub
// simulator: sign-in through the simulator's OAuth; the runs list shows a run a label started; its page
// streams a line the agent writes after the page was opened; Approve on the page moves the run on, a
// read-only user's Approve is refused and changes nothing, and so is one while GitHub does not answer
// the permission check (which is not remembered as a "no"); a second web process on another data
// directory shows the same transcript and report. Screenshots go to test-results/screenshots/. The
// run's check run shows what each phase did and links its dashboard page; Bull Board at /admin/queues
// is for admins only.
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findFreePort } from "../../src/server/free-port.js";
import { createWebSession, SESSION_COOKIE } from "../../src/web/auth/web-sessions.js";
import type { GitHubSimulator } from "../github-sim/index.js";
import { launchChromium, SCREENSHOTS } from "../support/browser.js";
import { type DevflowProcess, spawnDevflow, waitForHealthy } from "../support/devflow-process.js";
import { createEngineHarness, type EngineHarness, waitForRunState } from "../support/engine-harness.js";
import { APP_ID, type GitHubE2E, startGitHubE2E, WEBHOOK_SECRET } from "../support/github-e2e.js";

const REPO = "octo/dash";
const PUBLIC_URL = "https://devflow.example.test";
const AGENT = fileURLToPath(new URL("../fixtures/paced-agent.mjs", import.meta.url));
let harness: EngineHarness;
let e2e: GitHubE2E;
let browser: Browser;
let dataDir: string;
let goFile: string;
let webUrl: string;
const extraWebs: DevflowProcess[] = [];
/** The run the tests follow from its label to its report. */
let runId: string;

/** The App's OAuth client, as the setup page saves it (github-app.json in the web's data directory). */
function saveOAuthClient(sim: GitHubSimulator, webDataDir: string) {
  mkdirSync(webDataDir, { recursive: true, mode: 0o700 });
  writeFileSync(
    join(webDataDir, "github-app.json"),
    JSON.stringify({ clientId: sim.oauth.clientId, clientSecret: sim.oauth.clientSecret }),
    { mode: 0o600 },
  );
}

beforeAll(async () => {
  harness = await createEngineHarness();
  dataDir = harness.tempDir("dashboard");
  goFile = join(harness.tempDir("go"), "go");
  e2e = await startGitHubE2E({
    databaseUrl: harness.db.url,
    dataDir,
    agentsYaml: `agents:\n  paced: { preset: command, command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(AGENT)}, ${JSON.stringify(goFile)}], promptVia: stdin }\ndefaultAgent: paced\nsandbox: { readOnlyPaths: [${JSON.stringify(dirname(AGENT))}, ${JSON.stringify(dirname(goFile))}] }\ndashboard: { admins: [ops-lead] }\n`,
    env: { DEVFLOW_PUBLIC_URL: PUBLIC_URL },
    beforeStart: (sim) => saveOAuthClient(sim, join(dataDir, "web")),
  });
  webUrl = new URL(e2e.webhookUrl).origin;
  await e2e.sim.state.createRepository("octo", "dash", {
    defaultBranch: "main",
    files: { "README.md": "# dash\n" },
  });
  e2e.sim.script.setPermission(REPO, "maintainer", "write");
  e2e.sim.script.setPermission(REPO, "reader", "read");
  browser = await launchChromium();
}, 180_000);
afterAll(async () => {
  await browser?.close();
  for (const web of extraWebs) {
    web.child.kill("SIGTERM");
    await web.exited;
  }
  await e2e?.stop();
  await harness.cleanup();
});

async function signIn(page: Page, base: string, login: string) {
  await page.goto(`${base}/`);
  await page.getByRole("link", { name: "Sign in with GitHub" }).click();
  await page.getByLabel("Username").fill(login);
  await page.getByRole("button", { name: "Authorize" }).click();
  await page.waitForURL(`${base}/`);
  await expect.poll(() => page.textContent("header")).toContain(`Signed in as ${login}`);
}

async function labelIssue(title: string) {
  const issue = e2e.sim.state.createIssue(REPO, {
    title,
    body: "Shown on the dashboard.",
    user: "maintainer",
  });
  const delivered = await e2e.sim.webhooks.deliver(
    "issues",
    await e2e.sim.payloads.issueLabeled({
      repo: REPO,
      issue: issue.number,
      label: "devflow",
      sender: "maintainer",
    }),
  );
  expect(delivered.status).toBe(200);
  await expect
    .poll(() => harness.db.prisma.run.count({ where: { repository: REPO, issueNumber: issue.number } }), {
      timeout: 20_000,
    })
    .toBe(1);
  return harness.db.prisma.run.findFirstOrThrow({ where: { repository: REPO, issueNumber: issue.number } });
}

describe("the dashboard in a browser", () => {
  const lineAfterOpen = `the agent wrote this after the page opened ${randomUUID()}`;

  it("signs in through GitHub, lists a labeled run and streams a line written after its page opened", async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await signIn(page, webUrl, "maintainer");
    const run = await labelIssue("Stream my transcript");
    runId = run.id;
    await page.reload();
    await expect.poll(() => page.textContent("main")).toContain("Stream my transcript");
    await page.screenshot({ path: join(SCREENSHOTS, "runs-list.png"), fullPage: true });

    await page.getByRole("link", { name: "Stream my transcript" }).click();
    await page.waitForURL(`${webUrl}/runs/${runId}`);
    // The agent waits for the go file: everything after this point is written with the page open.
    await expect
      .poll(() => page.textContent("#transcript"), { timeout: 60_000 })
      .toContain("waiting for the test's go");
    expect(await page.textContent("#transcript")).not.toContain(lineAfterOpen);
    writeFileSync(goFile, `${lineAfterOpen}\n`);
    await expect.poll(() => page.textContent("#transcript"), { timeout: 30_000 }).toContain(lineAfterOpen);
    await page.setViewportSize({ width: 390, height: 844 }); // a phone
    await page.screenshot({ path: join(SCREENSHOTS, "run-page-phone.png") });
    await page.close();
  }, 120_000);

  it("refuses a read-only user's Approve and changes nothing", async () => {
    await waitForRunState(harness.db, runId, "awaiting_approval", 60_000);
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, webUrl, "reader");
    await page.goto(`${webUrl}/runs/${runId}`);
    await page.getByRole("button", { name: "Approve" }).click();
    await expect.poll(() => page.textContent("main")).toContain("Not done");
    expect(await page.textContent("[role=alert]")).toContain("reader");
    const pending = await harness.db.prisma.approvalRequest.findFirstOrThrow({
      where: { runId, state: "pending" },
    });
    expect(await harness.db.prisma.approvalDecision.count({ where: { approvalRequestId: pending.id } })).toBe(
      0,
    );
    expect((await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } })).state).toBe(
      "awaiting_approval",
    );
    expect(
      await harness.db.prisma.auditEntry.count({
        where: { runId, actor: "reader", action: "dashboard.approve", outcome: "refused" },
      }),
    ).toBe(1);
    await context.close();
  }, 90_000);

  it("while GitHub does not answer the permission check, Approve decides nothing and says so; the run stays visible", async () => {
    await waitForRunState(harness.db, runId, "awaiting_approval", 60_000);
    e2e.sim.script.setPermission(REPO, "second-maintainer", "write");
    const permission = /\/collaborators\/second-maintainer\/permission$/;
    const context = await browser.newContext();
    const page = await context.newPage();
    // GitHub fails to answer whether they may read the repository when the runs list asks: the run is
    // not listed this time, and that is not remembered as a "no" — the next look, answered, shows it.
    e2e.sim.script.failNext("GET", permission, { status: 502 });
    await signIn(page, webUrl, "second-maintainer");
    expect(await page.textContent("main")).not.toContain("Stream my transcript");
    expect((await page.goto(`${webUrl}/runs/${runId}`))?.status()).toBe(200);

    e2e.sim.script.failNext("GET", permission, { status: 502 });
    const answered = page.waitForResponse((r) => r.request().method() === "POST");
    await page.getByRole("button", { name: "Approve" }).click();
    // Unavailable, not forbidden: nobody was refused, and the same press may work in a moment.
    expect((await answered).status()).toBe(503);
    await expect.poll(() => page.textContent("main")).toContain("Not done");
    const alert = await page.textContent("[role=alert]");
    expect(alert).toContain("GitHub did not answer the permission check for @second-maintainer");
    expect(alert).toContain("Try again");
    expect((await harness.db.prisma.run.findUniqueOrThrow({ where: { id: runId } })).state).toBe(
      "awaiting_approval",
    );
    expect(await harness.db.prisma.approvalDecision.count({ where: { approvalRequest: { runId } } })).toBe(0);
    await context.close();
  }, 90_000);

  it("Approve on the page records a dashboard decision and moves the run on to its report", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    await signIn(page, webUrl, "maintainer");
    await page.goto(`${webUrl}/runs/${runId}`);
    await page.screenshot({ path: join(SCREENSHOTS, "run-page.png"), fullPage: true });
    await page.getByRole("button", { name: "Approve" }).click();
    await page.waitForLoadState("domcontentloaded");
    expect(`${page.url()}\n${await page.textContent("body")}`).toContain("approve: recorded.");
    const decision = await harness.db.prisma.approvalDecision.findFirstOrThrow({
      where: { approvalRequest: { runId }, action: "approve" },
    });
    expect(decision).toMatchObject({ actor: "maintainer", source: "dashboard" });
    await waitForRunState(harness.db, runId, "completed", 120_000).catch((error) => {
      throw new Error(`${error.message}\nWORKER:\n${e2e.worker.output().slice(-3000)}`);
    });
    await context.close();
    // The Checks tab: what each phase did, and the way to its dashboard page.
    const concluded = () =>
      [...e2e.sim.state.checkRuns.values()].find((c) => c.externalId === runId && c.conclusion === "success");
    await expect
      .poll(() => concluded()?.output.summary, { timeout: 30_000 })
      .toContain("| Phase | Attempt | Agent | Model | Duration | Tokens | Cost | Changed | Outcome |");
    const summary = concluded()?.output.summary ?? "";
    for (const phase of ["spec", "implement", "review"])
      expect(summary).toMatch(new RegExp(`^\\| ${phase} \\| 1 \\| paced \\| .* \\| ✅ succeeded \\|$`, "m"));
    expect(summary).toMatch(/^\| implement \| 1 \| paced \| .* \| 1 file \+1 −0 \| ✅ succeeded \|$/m);
    expect(summary).toContain(`[Open the run on the dashboard](${PUBLIC_URL}/runs/${runId})`);
  }, 180_000);

  it("metrics scraped after the run show its phases and the GitHub calls devflow made", async () => {
    const text = await (await fetch(`${webUrl}/metrics`)).text();
    expect(text).toMatch(/^devflow_runs\{state="completed"\} [1-9]/m);
    for (const phase of ["spec", "implement", "review"]) {
      expect(text).toMatch(
        new RegExp(`^devflow_phase_attempts\\{phase="${phase}",state="succeeded"\\} [1-9]`, "m"),
      );
      expect(text).toMatch(
        new RegExp(`^devflow_phase_duration_seconds_sum\\{phase="${phase}",state="succeeded"\\} `, "m"),
      );
    }
    // The simulator logged every REST call; this process counted those it made (webhook handling, effects).
    const created = Number(
      /^devflow_github_requests_total\{method="POST",status="201"\} (\d+)/m.exec(text)?.[1] ?? 0,
    );
    expect(created).toBeGreaterThan(0);
    expect(created).toBeLessThanOrEqual(
      e2e.sim.requests.filter((r) => r.method === "POST" && r.status === 201).length,
    );
    expect(text).toMatch(/^devflow_webhook_ack_seconds_count [1-9]/m);
    expect(text).toMatch(/^devflow_sessions\{host="e2e-worker",state="\w+"\} [1-9]/m);
    expect(text).toMatch(/^devflow_queue_jobs\{state="\w+"\} \d+/m);
  });

  it("a second web process on another data directory shows the same transcript and report", async () => {
    await expect
      .poll(() => harness.db.prisma.runReport.count({ where: { runId } }), { timeout: 30_000 })
      .toBe(1);
    const otherDir = harness.tempDir("other-web");
    const port = await findFreePort();
    const web = spawnDevflow(["start", "web"], {
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: harness.db.url,
      APP_ID: String(APP_ID),
      PRIVATE_KEY: e2e.privateKey,
      WEBHOOK_SECRET,
      GHE_HOST: e2e.sim.gheHost,
      GHE_PROTOCOL: "http",
      DEVFLOW_DATA_DIR: otherDir,
      DEVFLOW_CONFIG: join(dataDir, "devflow.yml"),
      DEVFLOW_HOST_ID: "e2e-other-web",
      // This one has the App's OAuth client from the environment (Probot's names), not from the setup page.
      GITHUB_CLIENT_ID: e2e.sim.oauth.clientId,
      GITHUB_CLIENT_SECRET: e2e.sim.oauth.clientSecret,
      LOG_LEVEL: "warn",
    });
    extraWebs.push(web);
    await waitForHealthy(port, web);
    const otherUrl = `http://127.0.0.1:${port}`;
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, otherUrl, "maintainer");
    await page.goto(`${otherUrl}/runs/${runId}`);
    await expect.poll(() => page.textContent("#transcript"), { timeout: 30_000 }).toContain(lineAfterOpen);
    const report = await harness.db.prisma.runReport.findUniqueOrThrow({ where: { runId } });
    expect((await page.textContent("#report"))?.trim()).toBe(report.text.trim());
    // Each attempt as its agent saw and left it: the prompt, the file it changed, its checkpoint.
    const implement = await harness.db.prisma.phaseAttempt.findFirstOrThrow({
      where: { runId, phaseKey: "implement" },
    });
    const shown = (await page.textContent("main")) ?? "";
    expect(shown).toContain("## Phase `implement`, attempt 1");
    expect(shown).toMatch(/Changed 1 file\(s\), \+1 −0\s*File\s*Added\s*Removed\s*paced\.txt/);
    expect(shown).toContain(implement.checkpointSha ?? "no checkpoint");
    await context.close();
  }, 120_000);
});

describe("attacks on the dashboard fail", () => {
  /** A signed-in user's cookie header, got through the browser's real sign-in. */
  async function sessionCookie(login: string): Promise<string> {
    const context = await browser.newContext();
    const page = await context.newPage();
    await signIn(page, webUrl, login);
    const cookies = await context.cookies();
    await context.close();
    return cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  }
  const abortForm = (csrf?: string) =>
    new URLSearchParams({ action: "abort", ...(csrf ? { csrf } : {}) }).toString();

  it("without a session nothing is shown: pages ask to sign in, the transcript and actions answer 401", async () => {
    const list = await fetch(`${webUrl}/`);
    expect(list.status).toBe(401);
    expect(await list.text()).not.toContain("Stream my transcript");
    expect((await fetch(`${webUrl}/runs/${runId}`)).status).toBe(401);
    expect((await fetch(`${webUrl}/runs/${runId}/transcript`)).status).toBe(401);
  });

  it("a sign-in callback with a forged state creates no session", async () => {
    const sessions = await harness.db.prisma.webSession.count();
    const forged = await fetch(`${webUrl}/sign-in/callback?code=abc&state=forged`, {
      headers: { cookie: "devflow_oauth_state=other" },
      redirect: "manual",
    });
    expect(forged.status).toBe(400);
    expect(forged.headers.get("set-cookie")).toBeNull();
    expect(await harness.db.prisma.webSession.count()).toBe(sessions);
  });

  it("a cross-site form without the CSRF token aborts nothing", async () => {
    const run = await labelIssue("Not to be aborted");
    const cookie = await sessionCookie("maintainer");
    for (const csrf of [undefined, "wrong-token"]) {
      const posted = await fetch(`${webUrl}/runs/${run.id}/actions`, {
        method: "POST",
        headers: {
          cookie,
          "content-type": "application/x-www-form-urlencoded",
          origin: "https://evil.example",
        },
        body: abortForm(csrf),
        redirect: "manual",
      });
      expect(posted.status).toBe(403);
    }
    const after = await harness.db.prisma.run.findUniqueOrThrow({ where: { id: run.id } });
    expect(after.state).not.toBe("aborted");
    expect(
      await harness.db.prisma.auditEntry.count({ where: { runId: run.id, action: "dashboard.abort" } }),
    ).toBe(0);
  }, 60_000);

  it("a user who cannot read the repository sees neither the run nor its transcript, and cannot act on it", async () => {
    const cookie = await sessionCookie("stranger");
    const list = await fetch(`${webUrl}/`, { headers: { cookie } });
    expect(list.status).toBe(200);
    expect(await list.text()).not.toContain(runId);
    expect((await fetch(`${webUrl}/runs/${runId}`, { headers: { cookie } })).status).toBe(404);
    expect((await fetch(`${webUrl}/runs/${runId}/transcript`, { headers: { cookie } })).status).toBe(404);
  }, 60_000);

  it("no secret is ever rendered: not the user's token, the OAuth client secret, the webhook secret or the key", async () => {
    const cookie = await sessionCookie("maintainer");
    const pages = await Promise.all(
      ["/", `/runs/${runId}`, "/hosts", "/hosts/e2e-worker"].map((path) =>
        fetch(`${webUrl}${path}`, { headers: { cookie } }).then((r) => r.text()),
      ),
    );
    const tokens = [...e2e.sim.oauth.userTokens.keys()]; // every user token GitHub handed devflow
    expect(tokens.length).toBeGreaterThan(0);
    const secrets = [
      ...tokens,
      e2e.sim.oauth.clientSecret,
      WEBHOOK_SECRET,
      e2e.privateKey.split("\n")[1] ?? "",
    ];
    for (const text of pages) for (const secret of secrets) expect(text).not.toContain(secret);
  }, 60_000);
});

describe("Bull Board at /admin/queues", () => {
  /** A signed-in user's cookie, as sign-in makes it. */
  async function cookieOf(login: string): Promise<string> {
    const { token } = await createWebSession(harness.db.prisma, { login, githubId: 1n });
    return `${SESSION_COOKIE}=${token}`;
  }
  const api = () => `${webUrl}/admin/queues/api/queues?activeQueue=devflow-runs&status=latest&page=1`;

  it("shows the run queue to the App's owner and the configured admins", async () => {
    for (const admin of ["devflow-owner", "ops-lead"]) {
      const cookie = await cookieOf(admin);
      const page = await fetch(`${webUrl}/admin/queues`, { headers: { cookie } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("<title>devflow queues</title>");
      const queues = (await (await fetch(api(), { headers: { cookie } })).json()) as {
        queues: { name: string }[];
      };
      expect(queues.queues.map((queue) => queue.name)).toContain("devflow-runs");
    }
  });

  it("renders in a browser from devflow alone: its link to Google Fonts never leaves the browser", async () => {
    const [name, value] = (await cookieOf("devflow-owner")).split("=") as [string, string];
    const context = await browser.newContext();
    await context.addCookies([{ name, value, url: webUrl }]);
    const page = await context.newPage();
    // What became of each request for another host: blocked by devflow's content security policy
    // ("csp"), or sent (a failure here is only this machine having no internet).
    const elsewhere = new Map<string, string>();
    const foreign = (url: string) => new URL(url).origin !== new URL(webUrl).origin;
    page.on("request", (r) => foreign(r.url()) && elsewhere.set(r.url(), "sent"));
    page.on("requestfailed", (r) => foreign(r.url()) && elsewhere.set(r.url(), r.failure()?.errorText ?? ""));
    await page.goto(`${webUrl}/admin/queues`);
    await expect.poll(() => page.textContent("body")).toContain("devflow-runs");
    expect([...elsewhere.values()]).toEqual(["csp"]); // Bull Board's stylesheet link, blocked
    await context.close();
  });

  it("refuses a signed-in user who is no admin (403), asks the anonymous to sign in (401), and refuses a cross-site action", async () => {
    const cookie = await cookieOf("maintainer");
    for (const path of ["/admin/queues", "/admin/queues/api/queues"]) {
      const refused = await fetch(`${webUrl}${path}`, { headers: { cookie } });
      expect(refused.status).toBe(403);
      expect(await refused.text()).not.toContain("devflow-runs");
      expect((await fetch(`${webUrl}${path}`)).status).toBe(401);
    }
    const admin = await cookieOf("devflow-owner");
    const paused = await fetch(`${webUrl}/admin/queues/api/queues/devflow-runs/pause`, {
      method: "PUT",
      headers: { cookie: admin, origin: "https://evil.example" },
    });
    expect(paused.status).toBe(403);
    const queues = (await (await fetch(api(), { headers: { cookie: admin } })).json()) as {
      queues: { name: string; isPaused: boolean }[];
    };
    expect(queues.queues.find((queue) => queue.name === "devflow-runs")?.isPaused).toBe(false);
  });
});
