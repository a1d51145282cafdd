// Every git process devflow starts gets an environment of devflow's making, never devflow's own: a `git`
// found first on PATH records the environment each real command was started with.
import { mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { commitCheckpoint, diffStat, ensureMirror, pushCheckpoint } from "../../src/git/index.js";
import { createRemote, isolate, type TestRemote } from "./git-fixture.js";
import { newHostileRun } from "./hostile-fixture.js";

const SECRETS = ["PRIVATE_KEY", "WEBHOOK_SECRET", "DATABASE_URL", "REDIS_URL", "GITHUB_TOKEN"] as const;
const canary = (name: string) => `canary-${name}-5e4d3c2b1a`;
const TOKEN = "ghs_envcanary9f8e7d6c5b";
const AUTH_HEADER = `AUTHORIZATION: basic ${Buffer.from(`x-access-token:${TOKEN}`).toString("base64")}`;

/**
 * What devflow sets (and the operator's proxy and CA settings, passed on when present; PWD is the
 * recording shell's own); anything else in a git process's environment came from where it should not.
 */
const ALLOWED =
  /^(PATH|HOME|LANG|LC_ALL|PWD|GIT_[A-Z0-9_]+|(HTTPS?|ALL|NO)_PROXY|(https?|all|no)_proxy|SSL_CERT_(FILE|DIR))$/;

let root: string;
let cleanup: () => Promise<void>;
let remote: TestRemote;
let dumps: string;
const saved: Record<string, string | undefined> = {};
beforeAll(async () => {
  ({ root, cleanup } = await isolate());
  remote = await createRemote(root);
  dumps = join(root, "env-dumps");
  const bin = join(root, "bin");
  await mkdir(dumps);
  await mkdir(bin);
  const realGit = (process.env.PATH ?? "")
    .split(":")
    .map((dir) => join(dir, "git"))
    .find((path) => path !== join(bin, "git"));
  await writeFile(
    join(bin, "git"),
    `#!/bin/sh\nenv -0 > "${dumps}/$$-$(date +%s%N)"\nPATH="${process.env.PATH}" exec git "$@"\n`,
    { mode: 0o755 },
  );
  expect(realGit).toBeDefined();
  for (const name of [...SECRETS, "PATH", "GIT_DIR", "GIT_CONFIG_PARAMETERS"])
    saved[name] = process.env[name];
  for (const name of SECRETS) process.env[name] = canary(name);
  // Ambient GIT_* of devflow's own process (a hook's, a shell's) must not reach git either.
  process.env.GIT_DIR = join(root, "elsewhere");
  process.env.GIT_CONFIG_PARAMETERS = "'core.fsmonitor'='touch /tmp/never'";
  process.env.PATH = `${bin}:${process.env.PATH}`;
});
afterAll(async () => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  await cleanup();
});

async function recordedEnvironments(): Promise<Record<string, string>[]> {
  const files = await readdir(dumps);
  return Promise.all(
    files.map(async (file) => {
      const text = await readFile(join(dumps, file), "utf8");
      return Object.fromEntries(
        text
          .split("\0")
          .filter((entry) => entry !== "")
          .map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]),
      );
    }),
  );
}

describe("the environment of devflow's git", () => {
  it("holds only what devflow sets: none of its secrets, no HOME of its own, no ambient GIT_*", async () => {
    const run = await newHostileRun(root, remote);
    await writeFile(join(run.worktreePath, "work.txt"), "the agent's work\n");
    await commitCheckpoint({ ...run, message: "devflow: spec" });
    await pushCheckpoint({ ...run, remoteUrl: remote.url, authHeader: AUTH_HEADER });
    await diffStat({ ...run, baseRef: "origin/main" });
    await ensureMirror({
      mirrorsDir: join(run.mirrorPath, ".."),
      repository: "octo/demo",
      cloneUrl: remote.url,
      authHeader: AUTH_HEADER,
      branches: ["main", run.branch],
    });

    const environments = await recordedEnvironments();
    expect(environments.length).toBeGreaterThan(10);
    for (const env of environments) {
      expect(Object.keys(env).filter((name) => !ALLOWED.test(name))).toEqual([]);
      const text = JSON.stringify(env);
      for (const name of SECRETS) expect(text).not.toContain(canary(name));
      expect(env.HOME).toBe("/dev/null");
      expect(env.GIT_CONFIG_GLOBAL).toBe("/dev/null");
      expect(env.GIT_CONFIG_NOSYSTEM).toBe("1");
      expect(env.GIT_CONFIG_PARAMETERS).toBeUndefined();
      expect(env.GIT_DIR).not.toBe(join(root, "elsewhere"));
    }
    // The token only in the processes that talk to the remote, and only as the forced http.extraHeader.
    const withToken = environments.filter((env) => JSON.stringify(env).includes(TOKEN.slice(0, 8)));
    expect(withToken).toEqual([]); // base64 in the header: the token itself is never in clear text
    const withHeader = environments.filter((env) => Object.values(env).includes(AUTH_HEADER));
    expect(withHeader.length).toBeGreaterThan(0);
    for (const env of withHeader) {
      const index = Object.entries(env)
        .find(([, value]) => value === AUTH_HEADER)?.[0]
        .replace(/\D/g, "");
      expect(env[`GIT_CONFIG_KEY_${index}`]).toBe("http.extraHeader");
    }
  });
});
