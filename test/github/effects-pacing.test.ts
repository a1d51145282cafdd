// The effects worker against the GitHub simulator with devflow's own Probot client (default throttling):
// GitHub's write limits are per installation, so one installation's paced comments must not hold up
// another installation's writes, and a secondary rate limit holds back only the installation it hit.
// Assertions are on the order of requests in the simulator's log, never on durations.
import { tmpdir } from "node:os";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { loadEnvironment } from "../../src/config/environment.js";
import { startEffectsWorker } from "../../src/github/effects/effects-worker.js";
import { enqueueEffect } from "../../src/github/effects/enqueue-effect.js";
import { createProbot } from "../../src/github/mount-github-app.js";
import { createLogger } from "../../src/server/logger.js";
import { type GitHubSimulator, type LoggedRequest, startGitHubSimulator } from "../github-sim/index.js";
import { APP_ID, appPrivateKey, WEBHOOK_SECRET } from "../github-sim/sim-fixture.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

let db: TestDatabase;
let sim: GitHubSimulator;
let worker: { stop(): Promise<void> } | undefined;

beforeAll(async () => {
  db = await createTestDatabase();
  sim = await startGitHubSimulator({
    appId: APP_ID,
    privateKey: appPrivateKey(),
    webhookSecret: WEBHOOK_SECRET,
    ghe: true,
  });
}, 60_000);
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});
afterAll(async () => {
  await sim?.close();
  await db?.drop();
});

function startWorker() {
  const env = loadEnvironment(
    {
      APP_ID: String(APP_ID),
      PRIVATE_KEY: appPrivateKey(),
      WEBHOOK_SECRET,
      GHE_HOST: sim.gheHost,
      GHE_PROTOCOL: "http",
      DEVFLOW_DATA_DIR: tmpdir(),
    },
    { hostname: "pacing-test" },
  );
  const logger = createLogger("silent");
  if (!env.github) throw new Error("no App credentials in the test environment");
  const probot = createProbot(env.github, env.githubEnterprise, logger);
  worker = startEffectsWorker({
    prisma: db.prisma,
    octokitFor: (installationId) => probot.auth(installationId),
    log: logger,
    pollMs: 50,
  });
}

/** A repository of its own owner (so its own installation) with `issues` issues. */
async function repository(owner: string, issues: number) {
  const repo = await sim.state.createRepository(owner, "widgets");
  const numbers = Array.from(
    { length: issues },
    (_, i) => sim.state.createIssue(repo.fullName, { title: `issue ${i}`, user: "someone" }).number,
  );
  return { fullName: repo.fullName, installationId: repo.installationId, numbers };
}

/** The simulator's log of writes (comments and reactions), labelled by owner and what they wrote. */
function writes(): { owner: string; kind: "comment" | "reaction"; status: number; body: unknown }[] {
  return sim.requests
    .filter(
      (r: LoggedRequest) => r.method === "POST" && /\/issues\/\d+\/(comments|reactions)$/.test(r.apiPath),
    )
    .map((r) => ({
      owner: r.apiPath.split("/")[2] ?? "",
      kind: r.apiPath.endsWith("/comments") ? ("comment" as const) : ("reaction" as const),
      status: r.status,
      body: (r.body as { body?: string } | undefined)?.body,
    }));
}

async function drained(keyPrefix: string) {
  await expect
    .poll(
      () => db.prisma.outboxEffect.count({ where: { key: { startsWith: keyPrefix }, state: "pending" } }),
      { timeout: 60_000, interval: 200 },
    )
    .toBe(0);
}

/** Indexes in the write log of `owner`'s writes. */
function positions(log: ReturnType<typeof writes>, owner: string) {
  return log.flatMap((write, index) => (write.owner === owner ? [index] : []));
}

describe("effects are paced per installation", () => {
  it("delivers a second installation's writes between the first installation's paced comments", async () => {
    const alpha = await repository("alpha", 1);
    const bravo = await repository("bravo", 6);
    // Alpha's three comments are older than all of bravo's reactions: a worker that delivers in one
    // line, or paces the whole process, would send them all before bravo's first.
    for (const n of [1, 2, 3]) {
      await enqueueEffect(
        db.prisma,
        { key: `pace:alpha:${n}`, installationId: alpha.installationId, repository: alpha.fullName },
        { kind: "comment.reply", issueNumber: alpha.numbers[0] ?? 0, body: `alpha ${n}` },
      );
    }
    for (const number of bravo.numbers) {
      await enqueueEffect(
        db.prisma,
        { key: `pace:bravo:${number}`, installationId: bravo.installationId, repository: bravo.fullName },
        { kind: "reaction", target: { type: "issue", number }, content: "eyes" },
      );
    }
    startWorker();
    await drained("pace:");

    const log = writes();
    expect(log.filter((w) => w.status >= 300)).toEqual([]);
    const a = positions(log, "alpha");
    const b = positions(log, "bravo");
    expect([a.length, b.length]).toEqual([3, 6]);
    // Each installation's effects arrive once and in the order they were written.
    expect(a.map((i) => String(log[i]?.body).split("\n")[0])).toEqual(["alpha 1", "alpha 2", "alpha 3"]);
    // Bravo is not serialized behind alpha: its first write comes before alpha's second.
    expect(b[0]).toBeLessThan(a[1] ?? -1);
    // Alpha's comments are paced (GitHub's limits are per installation) while bravo's writes go on:
    // between any two of alpha's comments, bravo wrote.
    for (const [first, next] of [
      [a[0], a[1]],
      [a[1], a[2]],
    ] as const) {
      expect(b.filter((i) => i > (first ?? 0) && i < (next ?? 0)).length).toBeGreaterThan(0);
    }
  }, 120_000);

  it("holds back only the limited installation after a secondary rate limit, then delivers its effects in order", async () => {
    const charlie = await repository("charlie", 1);
    const delta = await repository("delta", 6);
    sim.script.failNext(
      "POST",
      /\/repos\/charlie\/widgets\/issues\/\d+\/comments$/,
      { status: 403, retryAfter: 3, secondaryRateLimit: true },
      { times: 1 },
    );
    for (const n of [1, 2]) {
      await enqueueEffect(
        db.prisma,
        { key: `limit:charlie:${n}`, installationId: charlie.installationId, repository: charlie.fullName },
        { kind: "comment.reply", issueNumber: charlie.numbers[0] ?? 0, body: `charlie ${n}` },
      );
    }
    for (const number of delta.numbers) {
      await enqueueEffect(
        db.prisma,
        { key: `limit:delta:${number}`, installationId: delta.installationId, repository: delta.fullName },
        { kind: "reaction", target: { type: "issue", number }, content: "eyes" },
      );
    }
    startWorker();
    await drained("limit:");

    const log = writes().filter((w) => w.owner === "charlie" || w.owner === "delta");
    const c = positions(log, "charlie");
    const d = positions(log, "delta");
    // Charlie's first comment was limited; the next thing charlie sent was that same comment again
    // (charlie's second effect waited out the retry-after too), and both landed once, in order.
    expect(c.map((i) => [log[i]?.status, String(log[i]?.body).split("\n")[0]])).toEqual([
      [403, "charlie 1"],
      [201, "charlie 1"],
      [201, "charlie 2"],
    ]);
    expect(sim.state.commentsOn(sim.state.issue(charlie.fullName, charlie.numbers[0] ?? 0))).toHaveLength(2);
    // Delta went on while charlie waited.
    expect(d.filter((i) => i > (c[0] ?? 0) && i < (c[1] ?? 0)).length).toBeGreaterThan(0);
    expect(log.filter((w) => w.owner === "delta" && w.status >= 300)).toEqual([]);
    expect(d).toHaveLength(6);
  }, 120_000);
});
