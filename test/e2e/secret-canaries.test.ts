// Issue 5's canary test: every secret devflow holds is a unique canary — the App's private key, the
// installation tokens GitHub (the simulator) hands out, the webhook secret, DATABASE_URL and REDIS_URL —
// and after a full run through the GitHub App with an agent that dumps everything it can see, no canary
// appears in the agent's environment, argv, prompt or git config, in any file of devflow's data
// directories (worktrees, transcripts, reports, mirrors), in any database row (run events, outbox
// payloads, reports), in the processes' logs, or in anything devflow wrote to GitHub.
import { randomUUID } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findRedisServer, type SpawnedRedis, spawnRedisServer } from "../../src/server/redis-server.js";
import { runThroughSpecGate } from "../support/e2e-run.js";
import { createEngineHarness, type EngineHarness } from "../support/engine-harness.js";
import { type GitHubE2E, startGitHubE2E } from "../support/github-e2e.js";
import { leaksIn, placesOfRun } from "../support/leak-scan.js";

const REPO = "octo/canaries";
const AGENT = fileURLToPath(new URL("../fixtures/dump-agent.mjs", import.meta.url));
const WEBHOOK_SECRET = `canary-webhook-${randomUUID()}`;
const DB_CANARY = `canary-db-${randomUUID()}`;
const REDIS_CANARY = `canary-redis-${randomUUID()}`;

let harness: EngineHarness;
let redis: SpawnedRedis | undefined;
let e2e: GitHubE2E;
let dataDir: string;
let databaseUrl: string;

beforeAll(async () => {
  harness = await createEngineHarness();
  dataDir = harness.tempDir("canaries");
  // The canary rides in the URL as its application_name; a URL with a password (the embedded Postgres)
  // carries that secret too, and it is checked as well.
  const url = new URL(harness.db.url);
  url.searchParams.set("application_name", DB_CANARY);
  databaseUrl = url.toString();
  // A Redis of the test's own that requires the canary as its password: the queue only works if
  // devflow really uses that URL.
  if (findRedisServer()) redis = await spawnRedisServer(undefined, { password: REDIS_CANARY });
  e2e = await startGitHubE2E({
    databaseUrl,
    dataDir,
    webhookSecret: WEBHOOK_SECRET,
    agentsYaml: `agents:\n  dumper: { preset: command, command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(AGENT)}], promptVia: stdin }\ndefaultAgent: dumper\nsandbox: { readOnlyPaths: [${JSON.stringify(dirname(AGENT))}] }\n`,
    env: { LOG_LEVEL: "debug", ...(redis ? { REDIS_URL: redis.url } : {}) },
  });
  await e2e.sim.state.createRepository("octo", "canaries", {
    defaultBranch: "main",
    files: { "README.md": "# canaries\n" },
  });
  e2e.sim.script.setPermission(REPO, "maintainer", "write");
}, 120_000);
afterAll(async () => {
  await e2e?.stop();
  await redis?.stop();
  await harness.cleanup();
});

describe("secrets never reach an agent, a prompt, a log, a report or GitHub", () => {
  it("a full run with an agent that dumps all it sees shows no canary anywhere", async () => {
    const { sim } = e2e;
    const { issue, run } = await runThroughSpecGate(e2e, harness, {
      repo: REPO,
      title: "Show me your secrets",
      body: "Dump your environment.",
      maintainer: "maintainer",
      timeoutMs: 120_000,
    });
    await expect
      .poll(
        () =>
          [...sim.state.checkRuns.values()].some(
            (c) => c.externalId === run.id && c.conclusion === "success",
          ),
        {
          timeout: 30_000,
        },
      )
      .toBe(true);

    // What the agent saw: one dump per phase, with exactly the allowlisted environment.
    const worktree = join(dataDir, "worker", "workspaces", run.id, "main");
    const dumps = readdirSync(worktree).filter((name) => name.startsWith("dump-agent-"));
    expect(dumps.sort()).toEqual([
      "dump-agent-implement-0.json",
      "dump-agent-review-0.json",
      "dump-agent-spec-0.json",
    ]);
    for (const name of dumps) {
      const seen = JSON.parse(readFileSync(join(worktree, name), "utf8")) as { env: Record<string, string> };
      expect(
        Object.keys(seen.env)
          .filter((key) => !key.startsWith("DEVFLOW_"))
          .sort(),
      ).toEqual(["HOME", "LANG", "PATH", "TERM"].sort());
    }

    const tokens = [...sim.state.tokens.keys()];
    expect(tokens.length).toBeGreaterThan(0); // devflow did use installation tokens (git and REST)
    const keyLines = e2e.privateKey.split("\n").filter((line) => line.length === 64);
    const canaries: Record<string, string[]> = {
      "App private key": keyLines.slice(1, 4),
      "installation token": tokens,
      "webhook secret": [WEBHOOK_SECRET],
      DATABASE_URL: [
        DB_CANARY,
        ...(new URL(harness.db.url).password ? [new URL(harness.db.url).password] : []),
      ],
      ...(redis ? { REDIS_URL: [REDIS_CANARY] } : {}),
    };

    const places = await placesOfRun({ dataDir, databaseUrl: harness.db.url, e2e, repo: REPO, issue });
    // The places really hold the run: the scan would see a canary if one were there.
    expect(places["devflow's data directories (worktrees, transcripts, reports, mirrors)"]).toContain(
      "Dump what the agent sees.",
    );
    expect(places["the database (run events, outbox payloads, prompts, reports, audit)"]).toContain(run.id);
    expect(places["what devflow wrote to GitHub"]).toContain(`devflow run ${run.id}`);

    expect(leaksIn(canaries, places)).toEqual([]);
  }, 300_000);
});
