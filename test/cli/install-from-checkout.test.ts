// The README's install, as a user follows it: in a checkout (dependencies installed), `npm link
// --ignore-scripts` puts `devflow` on the PATH. Then `devflow run` inside ANOTHER repository, with a
// relative --requirements path, works on that repository; `npm run devflow -- status` and `devflow
// status` from a third directory show the same run, because the state lives in one per-user place
// (~/.local/state/devflow) — never in the user's repository, never in devflow's checkout.
import { execFileSync, spawn } from "node:child_process";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DevflowProcess } from "../support/devflow-process.js";
import { AGENT, jsonLines, waitFor } from "./cli-fixture.js";

const checkout = realpathSync(fileURLToPath(new URL("../..", import.meta.url)));
const identity = ["-c", "user.name=devflow test", "-c", "user.email=test@devflow.invalid"];

let root: string;
let home: string;
let prefix: string;
let app: string;
let elsewhere: string;
let configPath: string;

/** A shell-less command as a user's terminal would run it: their PATH, HOME and nothing of npm's. */
function userEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || key.startsWith("npm_") || key === "INIT_CWD") continue;
    if (key.startsWith("DEVFLOW_") || key === "DATABASE_URL" || key === "REDIS_URL") continue;
    if (key === "XDG_STATE_HOME") continue;
    env[key] = value;
  }
  return {
    ...env,
    HOME: home,
    PATH: `${join(prefix, "bin")}:${process.env.PATH ?? ""}`,
    DEVFLOW_CONFIG: configPath,
    LOG_LEVEL: "warn",
  };
}

function command(
  program: string,
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): DevflowProcess {
  const child = spawn(program, args, {
    cwd,
    env: { ...userEnv(), ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  let stdout = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });
  const exited = new Promise<number | string>((resolve) =>
    child.once("exit", (code, signal) => resolve(code ?? signal ?? "unknown")),
  );
  return { child, output: () => output, stdout: () => stdout, exited };
}

const branchesOf = (repo: string) =>
  execFileSync("git", ["-C", repo, "branch", "--list", "devflow/*", "--format=%(refname:short)"], {
    encoding: "utf8",
  })
    .split("\n")
    .filter(Boolean);

beforeAll(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), "devflow-install-")));
  chmodSync(root, 0o755); // the embedded Postgres runs as an unprivileged user when the tests run as root
  home = join(root, "home");
  prefix = join(root, "npm-global");
  app = join(root, "work", "app");
  elsewhere = join(root, "elsewhere");
  for (const dir of [home, prefix, app, elsewhere]) mkdirSync(dir, { recursive: true });
  execFileSync("git", ["init", "-q", "-b", "main", app]);
  mkdirSync(join(app, "docs"));
  writeFileSync(join(app, "README.md"), "# app\n");
  writeFileSync(join(app, "docs", "feature.md"), "# Add a greeting\n\nA GREETING.md that says hello.\n");
  execFileSync("git", ["add", "."], { cwd: app });
  execFileSync("git", [...identity, "commit", "-q", "-m", "initial"], { cwd: app });
  configPath = join(root, "devflow.yml");
  const node = JSON.stringify(process.execPath);
  writeFileSync(
    configPath,
    `agents:\n  plain: { preset: command, command: [${node}, ${JSON.stringify(AGENT)}] }\ndefaultAgent: plain\nsandbox: { readOnlyPaths: [${JSON.stringify(dirname(AGENT))}] }\n`,
  );
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("the README's install, then devflow from any directory", () => {
  it("runs on the repository it is typed in, and shows that run from a third directory", async () => {
    const checkoutBranches = branchesOf(checkout);

    // The README: `npm link --ignore-scripts` in the checkout (npm's global folder is a temp one here).
    const link = command(
      "npm",
      ["link", "--ignore-scripts", "--offline", "--no-audit", "--no-fund"],
      checkout,
      {
        npm_config_prefix: prefix,
      },
    );
    expect(await link.exited, link.output()).toBe(0);
    expect(existsSync(join(prefix, "bin", "devflow"))).toBe(true);

    const run = command("devflow", ["run", "--requirements", "docs/feature.md", "--json"], app);
    const gate = await waitFor(
      "the gate line",
      () => jsonLines(run.stdout()).find((line) => line.kind === "gate"),
      run,
    );
    const runId = gate.runId as string;

    // From a third directory, through npm in the checkout: the same run, waiting at its gate.
    const viaNpm = command(
      "npm",
      ["--prefix", checkout, "run", "--silent", "devflow", "--", "status", "--json"],
      elsewhere,
    );
    expect(await viaNpm.exited).toBe(0);
    expect(JSON.parse(viaNpm.stdout()).runs).toEqual([
      expect.objectContaining({ id: runId, state: "awaiting_approval" }),
    ]);

    const approve = command("devflow", ["approve", runId.slice(0, 8)], elsewhere);
    expect(await approve.exited).toBe(0);
    expect(await run.exited).toBe(0);

    const status = command("devflow", ["status", runId, "--json"], elsewhere);
    expect(await status.exited).toBe(0);
    const shown = JSON.parse(status.stdout()).run;
    expect(shown).toMatchObject({
      id: runId,
      state: "completed",
      repository: app,
      branch: `devflow/${runId}`,
    });

    // The work landed in the repository it was typed in, and only there.
    expect(branchesOf(app)).toEqual([`devflow/${runId}`]);
    expect(branchesOf(checkout)).toEqual(checkoutBranches);
    expect(execFileSync("git", ["-C", app, "status", "--porcelain", "--ignored"], { encoding: "utf8" })).toBe(
      "",
    );
    expect(readdirSync(elsewhere)).toEqual([]);
    // The state is the user's, in the XDG state directory.
    expect(existsSync(join(home, ".local", "state", "devflow", "postgres", "data", "PG_VERSION"))).toBe(true);

    // A finished run is not aborted after the fact.
    const abort = command("devflow", ["abort", runId], elsewhere);
    expect(await abort.exited).toBe(2);
    expect(abort.output()).toContain(`Run ${runId} is already completed: it cannot be aborted.`);
  });
});

describe("bin/devflow.js in a checkout without a build", () => {
  /** A checkout as cloned: bin/ and src/ (links to this one's), no dist/; with or without node_modules. */
  function bareCheckout(name: string, withDependencies: boolean): string {
    const dir = join(root, name);
    mkdirSync(join(dir, "bin"), { recursive: true });
    copyFileSync(join(checkout, "bin", "devflow.js"), join(dir, "bin", "devflow.js"));
    for (const entry of ["src", "package.json", "templates", "prisma"])
      symlinkSync(join(checkout, entry), join(dir, entry));
    if (withDependencies) symlinkSync(join(checkout, "node_modules"), join(dir, "node_modules"));
    return dir;
  }

  it("runs the sources through the checkout's tsx", async () => {
    const bare = bareCheckout("no-build", true);
    const status = command(
      process.execPath,
      [join(bare, "bin", "devflow.js"), "status", "--json"],
      elsewhere,
    );
    expect(await status.exited, status.output()).toBe(0);
    expect(JSON.parse(status.stdout())).toHaveProperty("runs");
  });

  it("says to install the dependencies when the checkout has none", async () => {
    const bare = bareCheckout("no-dependencies", false);
    const status = command(process.execPath, [join(bare, "bin", "devflow.js"), "status"], elsewhere);
    expect(await status.exited).toBe(1);
    expect(status.output()).toContain("Run `npm ci` in it");
  });
});
