// `devflow doctor` on the agents' sandbox: bubblewrap found and a real trial sandbox started; missing, with
// how to install it; present but unable to start a sandbox; and which process containment is in force.
import { chmodSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { renderReport } from "../../src/cli/doctor/doctor-report.js";
import { findExecutable } from "../../src/cli/doctor/find-executable.js";
import { checkSandbox } from "../../src/cli/doctor/sandbox-checks.js";
import { parseServerConfig } from "../../src/config/server-config.js";

const dir = mkdtempSync(join(tmpdir(), "devflow-doctor-sandbox-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A PATH directory holding only the named programs of this machine (and `extra` scripts). */
function pathWith(name: string, programs: string[], extra: Record<string, string> = {}): string {
  const bin = join(dir, name);
  mkdirSync(bin);
  for (const program of programs)
    symlinkSync(findExecutable(program, process.env.PATH) ?? "", join(bin, program));
  for (const [program, script] of Object.entries(extra)) {
    writeFileSync(join(bin, program), script);
    chmodSync(join(bin, program), 0o755);
  }
  return bin;
}

const config = (agents: string) =>
  parseServerConfig(`agents:\n${agents}\ndefaultAgent: fake\n`, "devflow.yml");
const fake = "  fake: { preset: fake }";
const mine = "  mine: { preset: command, command: [/usr/bin/true] }";

describe("devflow doctor: the sandbox", () => {
  it("runs a real trial sandbox and says the processes of each sandboxed agent end with its session", async () => {
    const [sandbox, containment] = await checkSandbox(config(`${fake}\n${mine}`), process.env.PATH);
    expect(sandbox?.status).toBe("ok");
    expect(sandbox?.summary).toMatch(/^bubblewrap \d+\.\d+/);
    expect(sandbox?.summary).toContain("a trial sandbox ran");
    if (process.getuid?.() === 0) expect(sandbox?.summary).toContain("as uid 65534 (devflow runs as root)");
    expect(sandbox?.summary).toContain("used by the agent mine");
    expect(containment).toMatchObject({ status: "ok", name: "process containment" });
    expect(containment?.summary).toContain("PID namespace via bubblewrap for the agent mine");
  });

  it("fails without bwrap when an agent needs it, and says how to install it", async () => {
    const path = pathWith("no-bwrap", ["git"]);
    const [sandbox] = await checkSandbox(config(`${fake}\n${mine}`), path);
    expect(sandbox?.status).toBe("fail");
    expect(sandbox?.summary).toContain("needed by the agent mine");
    expect(sandbox?.fix).toContain("apt-get install bubblewrap");
    expect(
      renderReport({ ok: false, checks: [sandbox ?? { name: "", status: "ok", summary: "" }] }),
    ).toContain("FAIL  sandbox");
    // With only the fake agent, bubblewrap is not needed yet: a warning.
    const [alone] = await checkSandbox(config(fake), path);
    expect(alone).toMatchObject({ status: "warn" });
    expect(alone?.fix).toContain("apt-get install bubblewrap");
  });

  it("fails when bwrap is there but cannot start a sandbox, quoting why", async () => {
    const broken = pathWith("broken-bwrap", [], {
      bwrap:
        '#!/bin/sh\n[ "$1" = --version ] && { echo "bubblewrap 0.8.0"; exit 0; }\necho "bwrap: setting up uid map: Permission denied" >&2\nexit 1\n',
    });
    const [sandbox] = await checkSandbox(config(`${fake}\n${mine}`), `${broken}:/usr/bin:/bin`);
    expect(sandbox?.status).toBe("fail");
    expect(sandbox?.summary).toContain(
      "cannot start a sandbox: bwrap: setting up uid map: Permission denied",
    );
  });

  it("warns, naming the agent, when an operator chose sandbox: none", async () => {
    const chosen = config(
      `${fake}\n${mine}\n  loose: { preset: command, command: [/usr/bin/true], sandbox: none }`,
    );
    const [, containment] = await checkSandbox(chosen, process.env.PATH);
    expect(containment?.status).toBe("warn");
    expect(containment?.summary).toContain("none for the agent loose (sandbox: none)");
    expect(containment?.summary).toContain("PID namespace via bubblewrap for the agent mine");
  });
});
