import { execFile, spawn } from "node:child_process";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { hostname } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DevflowError } from "../../src/errors/index.js";
import { ensureMirror, mirrorDirName } from "../../src/git/index.js";
import { createRemote, git, isolate } from "./git-fixture.js";

const CANARY = "canary-7f3a9c1e5b";
const AUTH_HEADER = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${CANARY}`).toString("base64")}`;

let root: string;
let cleanup: () => Promise<void>;
beforeAll(async () => ({ root, cleanup } = await isolate()));
afterAll(() => cleanup());

let counter = 0;
function newMirrorsDir(): string {
  counter += 1;
  return join(root, `mirrors-${counter}`);
}

/** Every file under dir, as text, to search for a secret. */
async function everything(dir: string): Promise<string> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const files = entries.filter((entry) => entry.isFile()).map((entry) => join(entry.parentPath, entry.name));
  return (await Promise.all(files.map((file) => readFile(file, "latin1")))).join("\n");
}

async function caught(promise: Promise<unknown>): Promise<DevflowError> {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(DevflowError);
  return error as DevflowError;
}

function expectNoCanary(error: DevflowError): void {
  const seen = [error.message, error.toDisplayString(), JSON.stringify(error.details), String(error.cause)];
  if (error.cause instanceof Error) seen.push(error.cause.message, error.cause.stack ?? "");
  for (const text of seen) {
    expect(text).not.toContain(CANARY);
    expect(text).not.toContain(AUTH_HEADER.slice(15));
  }
}

describe("ensureMirror", () => {
  it("clones a repository once, then fetches: a second call sees a new commit on the remote", async () => {
    const remote = await createRemote(root, "fetched");
    const mirrorsDir = newMirrorsDir();
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const first = await ensureMirror({ mirrorsDir, repository: "octo/fetched", cloneUrl: remote.url, log });
    expect(first.path).toBe(join(mirrorsDir, "octo+fetched.git"));
    expect(await git(first.path, "rev-parse", "refs/remotes/origin/main")).toBe(await remote.sha("main"));

    const next = await remote.commit({ "CHANGELOG.md": "- more\n" }, "Second commit");
    const second = await ensureMirror({ mirrorsDir, repository: "octo/fetched", cloneUrl: remote.url, log });
    expect(second.path).toBe(first.path);
    expect(await git(first.path, "rev-parse", "refs/remotes/origin/main")).toBe(next);
    expect(lines.filter((line) => line.startsWith("cloning"))).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith("fetched"))).toHaveLength(2);
  });

  it("fetches again when a ref it updates is locked for a moment (a push recording its checkpoint)", async () => {
    const remote = await createRemote(root, "busy-ref");
    const mirrorsDir = newMirrorsDir();
    const { path } = await ensureMirror({ mirrorsDir, repository: "octo/busy-ref", cloneUrl: remote.url });
    const next = await remote.commit({ "NEWS.md": "- news\n" }, "News");
    // As git's own update-ref holds it: the lock file beside the ref, released a moment later.
    const lockFile = join(path, "refs", "remotes", "origin", "main.lock");
    await writeFile(lockFile, "");
    const released = new Promise((resolve) => setTimeout(resolve, 150)).then(() => rm(lockFile));
    await ensureMirror({ mirrorsDir, repository: "octo/busy-ref", cloneUrl: remote.url });
    await released;
    expect(await git(path, "rev-parse", "refs/remotes/origin/main")).toBe(next);
  });

  it("with branches named, fetches only those, and forgets one deleted on the remote", async () => {
    const remote = await createRemote(root, "narrow");
    const mirrorsDir = newMirrorsDir();
    const options = { mirrorsDir, repository: "octo/narrow", cloneUrl: remote.url };
    const { path } = await ensureMirror(options);
    const main = await remote.sha("main");
    await git(remote.url, "branch", "devflow/1-run", main);
    await git(remote.url, "branch", "other", main);
    const next = await remote.commit({ "NEWS.md": "- news\n" }, "News");
    await ensureMirror({ ...options, branches: ["main", "devflow/1-run"] });
    expect(await git(path, "rev-parse", "refs/remotes/origin/main")).toBe(next);
    expect(await git(path, "rev-parse", "refs/remotes/origin/devflow/1-run")).toBe(main);
    const tracked = await git(path, "for-each-ref", "--format=%(refname)", "refs/remotes/origin/");
    expect(tracked.split("\n")).not.toContain("refs/remotes/origin/other");

    await git(remote.url, "branch", "-D", "devflow/1-run");
    await ensureMirror({ ...options, branches: ["main", "devflow/1-run"] });
    const after = await git(path, "for-each-ref", "--format=%(refname)", "refs/remotes/origin/");
    expect(after.split("\n")).not.toContain("refs/remotes/origin/devflow/1-run");
    // A base the remote does not have: everything is fetched, so the caller can list what there is.
    await ensureMirror({ ...options, branches: ["trunk", "devflow/2-run"] });
    expect(await git(path, "rev-parse", "refs/remotes/origin/other")).toBe(main);
  });

  it("keeps remote branches under refs/remotes/origin, so a fetch never moves a local run branch", async () => {
    const remote = await createRemote(root, "refspec");
    const mirrorsDir = newMirrorsDir();
    const { path } = await ensureMirror({ mirrorsDir, repository: "octo/refspec", cloneUrl: remote.url });
    expect(await git(path, "config", "--get-all", "remote.origin.fetch")).toBe(
      "+refs/heads/*:refs/remotes/origin/*",
    );
    expect(await git(path, "for-each-ref", "--format=%(refname)", "refs/heads/")).toBe("");
    const runBranchHead = await remote.sha("main");
    await git(path, "update-ref", "refs/heads/devflow/1-run", runBranchHead);
    await remote.commit({ "x.txt": "x\n" }, "Upstream moves", "devflow/1-run");

    await ensureMirror({ mirrorsDir, repository: "octo/refspec", cloneUrl: remote.url });
    expect(await git(path, "rev-parse", "refs/heads/devflow/1-run")).toBe(runBranchHead);
    expect(await git(path, "rev-parse", "refs/remotes/origin/devflow/1-run")).toBe(
      await remote.sha("devflow/1-run"),
    );
  });

  it("clones once when calls for the same repository race in one process", async () => {
    const remote = await createRemote(root, "racing");
    const mirrorsDir = newMirrorsDir();
    const lines: string[] = [];
    const calls = Array.from({ length: 5 }, () =>
      ensureMirror({
        mirrorsDir,
        repository: "octo/racing",
        cloneUrl: remote.url,
        log: (line) => lines.push(line),
      }),
    );
    const paths = new Set((await Promise.all(calls)).map((result) => result.path));
    expect(paths.size).toBe(1);
    expect(lines.filter((line) => line.startsWith("cloning"))).toHaveLength(1);
    expect(await readdir(mirrorsDir)).toEqual(["octo+racing.git"]); // no temporary clone, no lock left
  });

  it("clones once when two processes race for the same repository", async () => {
    const remote = await createRemote(root, "processes");
    const mirrorsDir = newMirrorsDir();
    const script = fileURLToPath(new URL("./ensure-mirror-process.ts", import.meta.url));
    const startAt = String(Date.now() + 2500);
    const args = ["--import", "tsx", script, mirrorsDir, "octo/processes", remote.url, startAt];
    const outputs = await Promise.all(
      [1, 2].map(() => promisify(execFile)(process.execPath, args).then(({ stdout }) => stdout)),
    );
    const lines = outputs.join("").split("\n");
    expect(lines.filter((line) => line.startsWith("cloning"))).toHaveLength(1);
    expect(lines.filter((line) => line.startsWith("mirror "))).toEqual([
      `mirror ${join(mirrorsDir, "octo+processes.git")}`,
      `mirror ${join(mirrorsDir, "octo+processes.git")}`,
    ]);
    expect(await readdir(mirrorsDir)).toEqual(["octo+processes.git"]);
  });

  it("takes over a mirror lock left behind by a process that died", async () => {
    const remote = await createRemote(root, "stale-lock");
    const mirrorsDir = newMirrorsDir();
    const dead = spawn("true");
    await new Promise((done) => dead.on("exit", done));
    await mkdir(mirrorsDir, { recursive: true });
    const lock = { pid: dead.pid, host: hostname(), token: "left-behind" };
    await writeFile(join(mirrorsDir, "octo+stale-lock.git.lock"), JSON.stringify(lock));
    const { path } = await ensureMirror({ mirrorsDir, repository: "octo/stale-lock", cloneUrl: remote.url });
    expect(await git(path, "rev-parse", "refs/remotes/origin/main")).toBe(await remote.sha("main"));
    expect(await readdir(mirrorsDir)).toEqual(["octo+stale-lock.git"]);
  });

  it("reports a clone URL that is not a repository as repository_not_found, naming it but no credential", async () => {
    const mirrorsDir = newMirrorsDir();
    const lines: string[] = [];
    const error = await caught(
      ensureMirror({
        mirrorsDir,
        repository: "octo/missing",
        cloneUrl: join(root, "no-such-repository.git"),
        authHeader: AUTH_HEADER,
        log: (line) => lines.push(line),
      }),
    );
    expect(error.code).toBe("repository_not_found");
    expect(error.class).toBe("needs_human");
    expect(error.message).toContain("octo/missing");
    expectNoCanary(error);
    expect(lines.join("\n")).not.toContain(CANARY);
    expect(await readdir(mirrorsDir)).toEqual([]); // no half-made mirror left to trip the next call
  });

  it("sends the auth header to an HTTP remote, and a 404 there is repository_not_found without the credential", async () => {
    const seen: (string | undefined)[] = [];
    const server = createServer((request, response) => {
      seen.push(request.headers.authorization);
      response.writeHead(404).end("Not Found");
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const { port } = server.address() as AddressInfo;
    const mirrorsDir = newMirrorsDir();
    try {
      const error = await caught(
        ensureMirror({
          mirrorsDir,
          repository: "octo/private",
          cloneUrl: `http://127.0.0.1:${port}/octo/private.git`,
          authHeader: AUTH_HEADER,
        }),
      );
      expect(error.code).toBe("repository_not_found");
      expectNoCanary(error);
    } finally {
      server.close();
    }
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0]).toBe(AUTH_HEADER.slice("AUTHORIZATION: ".length));
    expect(await everything(mirrorsDir)).not.toContain(CANARY);
  });

  it("reports a host that does not answer as repository_not_found that may be retried", async () => {
    const error = await caught(
      ensureMirror({
        mirrorsDir: newMirrorsDir(),
        repository: "octo/offline",
        cloneUrl: "http://127.0.0.1:1/o.git",
      }),
    );
    expect([error.code, error.class]).toEqual(["repository_not_found", "recoverable"]);
    expect(error.message).toContain("did not answer");
  });

  it("never writes the auth header into the mirror, its config or the log", async () => {
    const remote = await createRemote(root, "authed");
    const mirrorsDir = newMirrorsDir();
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const options = {
      mirrorsDir,
      repository: "octo/authed",
      cloneUrl: remote.url,
      authHeader: AUTH_HEADER,
      log,
    };
    const { path } = await ensureMirror(options);
    await ensureMirror(options);
    expect(await readFile(join(path, "config"), "utf8")).not.toContain(CANARY);
    expect(await everything(mirrorsDir)).not.toContain(CANARY);
    expect(lines.join("\n")).not.toContain(CANARY);
  });
});

describe("mirrorDirName", () => {
  it.each([
    ["octo/repo", "octo+repo.git"],
    ["Octo/Repo", "octo+repo.git"],
    ["octo/repo.git", "octo+repo.git"],
    ["octo/.github", "octo+.github.git"],
  ])("names the mirror of %s %s", (repository, expected) => {
    expect(mirrorDirName(repository)).toBe(expected);
  });

  it.each([
    "/srv/code/remote.git",
    "../../etc/passwd",
    "octo/..",
    "C:\\work\\repo",
    "",
    "/",
    "a/b/c",
    "we ird/na me",
  ])("keeps the mirror of %j to one safe path segment inside the mirrors directory", (repository) => {
    const name = mirrorDirName(repository);
    expect(name).toMatch(/^local-[A-Za-z0-9_-]+-[0-9a-f]{12}\.git$/);
  });

  it("gives two local paths that look alike different mirrors", () => {
    expect(mirrorDirName("/a/repo")).not.toBe(mirrorDirName("/b/repo"));
  });
});
