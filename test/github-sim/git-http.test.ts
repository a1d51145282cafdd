// Git over HTTP through the simulator: clone and push with the installation token in an HTTP header
// (never in the URL), refused without it, pushes recorded, and pull requests following pushed branches.
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO, type SimClient, startSimFixture } from "./sim-fixture.js";

function run(args: string[], cwd?: string): Promise<{ code: number; out: string; err: string }> {
  const env = {
    PATH: process.env.PATH,
    HOME: tmpdir(),
    GIT_CONFIG_NOSYSTEM: "1",
    GIT_CONFIG_GLOBAL: "/dev/null",
    GIT_TERMINAL_PROMPT: "0",
    GIT_AUTHOR_NAME: "devflow",
    GIT_AUTHOR_EMAIL: "devflow@example.invalid",
    GIT_COMMITTER_NAME: "devflow",
    GIT_COMMITTER_EMAIL: "devflow@example.invalid",
  };
  return new Promise((resolve) => {
    execFile("git", args, { cwd, env }, (error, out, err) =>
      resolve({ code: error ? Number(error.code ?? 1) : 0, out, err }),
    );
  });
}

const basic = (token: string) =>
  `Authorization: Basic ${Buffer.from(`x-access-token:${token}`).toString("base64")}`;

describe("GitHub simulator git over HTTP", () => {
  let client: SimClient;
  let work: string;
  let cloneUrl: string;

  beforeAll(async () => {
    client = await startSimFixture();
    work = await mkdtemp(join(tmpdir(), "github-sim-git-test-"));
    const repo = await client.call("GET", `/repos/${REPO}`);
    cloneUrl = (repo.body as { clone_url: string }).clone_url;
  });
  afterAll(async () => {
    await client.sim.close();
    await rm(work, { recursive: true, force: true });
  });

  it("clones the repository's clone_url with the token as a Basic auth header", async () => {
    const token = await client.token();
    expect(cloneUrl).toBe(`${client.sim.webUrl}/acme/widgets.git`);
    const result = await run([
      "-c",
      `http.extraHeader=${basic(token)}`,
      "clone",
      cloneUrl,
      join(work, "basic"),
    ]);
    expect(result.err).not.toMatch(/fatal/);
    expect(result.code).toBe(0);
    expect((await run(["log", "--format=%s"], join(work, "basic"))).out.trim()).toBe("Initial commit");
  });

  it("pushes a branch with a Bearer header, records the refs it changed, and a pull request follows it", async () => {
    const token = await client.token();
    const dir = join(work, "basic");
    const header = `http.extraHeader=AUTHORIZATION: bearer ${token}`;
    await run(["checkout", "-b", "devflow/1-add-a-thing"], dir);
    await writeFile(join(dir, "spec.md"), "# Spec\n");
    await run(["add", "spec.md"], dir);
    await run(["commit", "-m", "spec"], dir);
    const pushed = await run(["-c", header, "push", "origin", "devflow/1-add-a-thing"], dir);
    expect(pushed.code).toBe(0);
    const head = (await run(["rev-parse", "HEAD"], dir)).out.trim();
    expect(client.sim.state.pushes.at(-1)).toMatchObject({
      repo: REPO,
      updates: [{ ref: "refs/heads/devflow/1-add-a-thing", before: null, after: head }],
    });

    const pr = await client.call("POST", `/repos/${REPO}/pulls`, {
      body: { title: "t", head: "devflow/1-add-a-thing", base: "main", draft: true },
    });
    expect(pr.body).toMatchObject({ head: { sha: head }, draft: true, commits: 1 });
    await writeFile(join(dir, "impl.ts"), "export {};\n");
    await run(["add", "impl.ts"], dir);
    await run(["commit", "-m", "implement"], dir);
    await run(["-c", header, "push", "origin", "devflow/1-add-a-thing"], dir);
    const newHead = (await run(["rev-parse", "HEAD"], dir)).out.trim();
    const after = await client.call("GET", `/repos/${REPO}/pulls/${(pr.body as { number: number }).number}`);
    expect(after.body).toMatchObject({ head: { sha: newHead }, commits: 2 });
  });

  it("accepts a push to a ref of the app's own (refs/devflow/…) and records it; refs/pull is hidden, as on GitHub", async () => {
    const token = await client.token();
    const dir = join(work, "basic");
    const header = `http.extraHeader=AUTHORIZATION: bearer ${token}`;
    const head = (await run(["rev-parse", "HEAD"], dir)).out.trim();
    const pushed = await run(["-c", header, "push", "origin", "HEAD:refs/devflow/runs/run-1"], dir);
    expect(pushed.code).toBe(0);
    expect(client.sim.state.pushes.at(-1)).toMatchObject({
      updates: [{ ref: "refs/devflow/runs/run-1", before: null, after: head }],
    });
    const hidden = await run(["-c", header, "push", "origin", "HEAD:refs/pull/1/head"], dir);
    expect(hidden.code).not.toBe(0);
    expect(hidden.err).toContain("deny updating a hidden ref");
  });

  it("refuses a clone without credentials with 401 and WWW-Authenticate, and with a bad token", async () => {
    const res = await fetch(`${cloneUrl}/info/refs?service=git-upload-pack`);
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Basic/);
    const anonymous = await run(["clone", cloneUrl, join(work, "anonymous")]);
    expect(anonymous.code).not.toBe(0);
    expect(anonymous.err).toMatch(/Authentication failed|could not read Username/);
    const bad = await run([
      "-c",
      `http.extraHeader=${basic("ghs_wrong")}`,
      "clone",
      cloneUrl,
      join(work, "bad"),
    ]);
    expect(bad.code).not.toBe(0);
  });

  it("refuses a push when the installation may only read contents", async () => {
    const readOnly = await startSimFixture({
      installationPermissions: { metadata: "read", contents: "read" },
    });
    try {
      const url = `${readOnly.sim.webUrl}/acme/widgets.git`;
      const header = `http.extraHeader=${basic(await readOnly.token())}`;
      const dir = join(work, "read-only");
      expect((await run(["-c", header, "clone", url, dir])).code).toBe(0);
      await run(["commit", "--allow-empty", "-m", "x"], dir);
      const push = await run(["-c", header, "push", "origin", "HEAD:refs/heads/x"], dir);
      expect(push.code).not.toBe(0);
      expect(readOnly.sim.requests.filter((req) => req.git && req.status === 403)).not.toEqual([]);
      expect(readOnly.sim.state.pushes).toEqual([]);
    } finally {
      await readOnly.sim.close();
    }
  });

  it("logs git requests without their Authorization header", async () => {
    const gitRequests = client.sim.requests.filter((req) => req.git);
    expect(gitRequests.length).toBeGreaterThan(0);
    expect(gitRequests.every((req) => !("authorization" in req.headers))).toBe(true);
    expect(gitRequests.some((req) => req.auth === "installation")).toBe(true);
  });
});
