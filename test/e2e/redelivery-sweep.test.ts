// Issue 6 item 9: deliveries GitHub could not hand to devflow are asked again, once, by the sweep.

import { Probot } from "probot";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLog } from "../../src/engine/worker-context.js";
import { sweepFailedDeliveries } from "../../src/github/redelivery-sweep.js";
import { findFreePort } from "../../src/server/free-port.js";
import { createEngineHarness, type EngineHarness } from "../support/engine-harness.js";
import {
  APP_ID,
  type GitHubE2E,
  processedDeliveries,
  startGitHubE2E,
  WEBHOOK_SECRET,
} from "../support/github-e2e.js";

const REPO = "octo/sweeper";
let harness: EngineHarness;
let e2e: GitHubE2E;

beforeAll(async () => {
  harness = await createEngineHarness();
  e2e = await startGitHubE2E({ databaseUrl: harness.db.url, dataDir: harness.tempDir("e2e") });
  await e2e.sim.state.createRepository("octo", "sweeper", {
    defaultBranch: "main",
    files: { "README.md": "# s\n" },
  });
  e2e.sim.script.setPermission(REPO, "writer", "write");
}, 120_000);
afterAll(async () => {
  await e2e?.stop();
  await harness.cleanup();
});

describe("the redelivery sweep", () => {
  it("asks GitHub again for a delivery devflow never got, and leaves the ones it got alone", async () => {
    const { sim } = e2e;
    const probot = new Probot({
      appId: APP_ID,
      privateKey: e2e.privateKey,
      secret: WEBHOOK_SECRET,
      baseUrl: sim.url,
    });
    const missed = sim.state.createIssue(REPO, { title: "Missed while down", user: "writer" });
    const down = `http://127.0.0.1:${await findFreePort()}/api/github/webhooks`;
    const failed = await sim.webhooks.deliver(
      "issues",
      await sim.payloads.issueLabeled({
        repo: REPO,
        issue: missed.number,
        label: "devflow",
        sender: "writer",
      }),
      { target: down },
    );
    expect(failed.status).toBe(0);
    const got = sim.state.createIssue(REPO, { title: "Got it", user: "writer" });
    await sim.webhooks.deliver(
      "issues",
      await sim.payloads.issueLabeled({ repo: REPO, issue: got.number, label: "devflow", sender: "writer" }),
    );

    const redelivered = await sweepFailedDeliveries({ probot, prisma: harness.db.prisma, log: silentLog });
    expect(redelivered).toEqual([failed.guid]);
    await sim.webhooks.settled();
    await processedDeliveries(harness.db.prisma, [failed.guid]); // answered once stored; processed after
    expect(
      await harness.db.prisma.run.count({ where: { repository: REPO, issueNumber: missed.number } }),
    ).toBe(1);
    // Once received, it is not asked for again.
    expect(await sweepFailedDeliveries({ probot, prisma: harness.db.prisma, log: silentLog })).toEqual([]);
  });
});
