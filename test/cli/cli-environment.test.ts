// Where the local CLI keeps its state and which directory it works in, as pure decisions.
import { mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  defaultStateDir,
  invocationDirectory,
  loadCliEnvironment,
  PACKAGE_ROOT,
} from "../../src/cli/cli-environment.js";

describe("the local CLI's state directory", () => {
  it.each([
    { env: {}, expected: "/home/ada/.local/state/devflow" },
    { env: { XDG_STATE_HOME: "/var/state" }, expected: "/var/state/devflow" },
    // The XDG specification: a relative path is invalid and ignored.
    { env: { XDG_STATE_HOME: "state" }, expected: "/home/ada/.local/state/devflow" },
  ])("is the XDG state directory: $env → $expected", ({ env, expected }) => {
    expect(defaultStateDir(env, "/home/ada")).toBe(expected);
  });

  it("is overridden by DEVFLOW_DATA_DIR, which keeps its meaning", () => {
    expect(loadCliEnvironment({ HOME: "/home/ada", DEVFLOW_DATA_DIR: "/srv/devflow" }).dataDir).toBe(
      "/srv/devflow",
    );
    expect(loadCliEnvironment({ XDG_STATE_HOME: "/var/state" }).dataDir).toBe("/var/state/devflow");
  });
});

describe("the directory the CLI works in", () => {
  const typed = realpathSync(mkdtempSync(join(tmpdir(), "devflow-typed-")));

  it("is INIT_CWD when npm runs devflow's own script in its checkout", () => {
    expect(invocationDirectory({ INIT_CWD: typed }, PACKAGE_ROOT)).toBe(typed);
  });

  it("stays the current directory for another project's npm script, or without npm", () => {
    expect(invocationDirectory({ INIT_CWD: typed }, "/srv/other-project")).toBeUndefined();
    expect(invocationDirectory({}, PACKAGE_ROOT)).toBeUndefined();
    expect(invocationDirectory({ INIT_CWD: "relative/dir" }, PACKAGE_ROOT)).toBeUndefined();
    expect(invocationDirectory({ INIT_CWD: join(typed, "gone") }, PACKAGE_ROOT)).toBeUndefined();
  });
});
