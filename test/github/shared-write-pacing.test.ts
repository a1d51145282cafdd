// Issue 16, point 8: with REDIS_URL, Probot's write pacing (plugin-throttling's Bottleneck limiters per
// installation: writes start at least a second apart) is kept in Redis, so two web processes together
// keep GitHub's pace for one installation. Two processes (pacing-client.ts, devflow's Probot client)
// are told to write to one installation at the same moment. Shared pacing holds the second write at
// least the limiter's second behind the first; each process pacing alone sends both at once (this
// assertion is a lower bound the limiter guarantees: load can only widen the gap).
import { type ChildProcess, spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type GitHubSimulator, startGitHubSimulator } from "../github-sim/index.js";
import { APP_ID, appPrivateKey, WEBHOOK_SECRET } from "../github-sim/sim-fixture.js";

const redisUrl = process.env.REDIS_URL;
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
/**
 * plugin-throttling's write limiter spaces writes 1,000 ms apart where they are sent; where they arrive,
 * the first may be delayed more than the second (812 ms was seen at load average 30). Unshared, the two
 * processes' writes arrive ~90 ms apart: half the pace still tells the two apart.
 */
const WRITE_SPACING_MS = 500;
let sim: GitHubSimulator;

beforeAll(async () => {
  sim = await startGitHubSimulator({
    appId: APP_ID,
    privateKey: appPrivateKey(),
    webhookSecret: WEBHOOK_SECRET,
    ghe: true,
  });
}, 60_000);
afterAll(async () => {
  await sim?.close();
});

function client(env: Record<string, string>): { child: ChildProcess; said(word: string): Promise<void> } {
  const child = spawn(process.execPath, ["--import", "tsx", "test/github/pacing-client.ts"], {
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      APP_ID: String(APP_ID),
      PRIVATE_KEY: appPrivateKey(),
      WEBHOOK_SECRET,
      GHE_HOST: sim.gheHost,
      GHE_PROTOCOL: "http",
      ...env,
    },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let output = "";
  const waiters: { word: string; resolve: () => void }[] = [];
  const onOutput = (chunk: Buffer) => {
    output += chunk;
    for (const waiter of waiters) if (output.includes(waiter.word)) waiter.resolve();
  };
  child.stdout?.on("data", onOutput);
  child.stderr?.on("data", onOutput);
  return {
    child,
    said: (word) =>
      new Promise<void>((resolve, reject) => {
        if (output.includes(word)) return resolve();
        waiters.push({ word, resolve });
        child.once("exit", () => (output.includes(word) ? resolve() : reject(new Error(output))));
      }),
  };
}

describe.runIf(redisUrl)("Probot's write pacing with REDIS_URL", () => {
  it("spaces one installation's writes from two processes as GitHub's pace asks", async () => {
    const repo = await sim.state.createRepository(`pacing-${randomUUID().slice(0, 8)}`, "widgets");
    const issue = sim.state.createIssue(repo.fullName, { title: "pacing", user: "someone" });
    const common = {
      REPO: repo.fullName,
      ISSUE: String(issue.number),
      INSTALLATION: String(repo.installationId),
      REDIS_URL: redisUrl ?? "",
    };
    const clients = [client({ ...common, LABEL: "one" }), client({ ...common, LABEL: "two" })];
    try {
      await Promise.all(clients.map((c) => c.said("ready")));
      for (const c of clients) c.child.stdin?.write("go\n");
      await Promise.all(clients.map((c) => c.said("done")));
    } finally {
      for (const c of clients) if (c.child.exitCode === null) c.child.kill("SIGKILL");
    }
    const writes = sim.requests.filter(
      (r) => r.method === "POST" && r.apiPath === `/repos/${repo.fullName}/issues/${issue.number}/labels`,
    );
    expect(writes).toHaveLength(2);
    const [first, second] = writes.map((r) => Date.parse(r.at)).sort((a, b) => a - b) as [number, number];
    expect(second - first).toBeGreaterThanOrEqual(WRITE_SPACING_MS);
  }, 120_000);
});
