// The committed bundle (action/dist) is what the Actions runner executes, so it must be exactly what
// the sources build: the build is deterministic, and its --check mode rebuilds and compares bytes.
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const script = join(repoRoot, "scripts", "build-action.mjs");
const dirs: string[] = [];

afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

async function check(dist?: string): Promise<{ code: number; output: string }> {
  const args = [script, "--check", ...(dist ? ["--dist", dist] : [])];
  return promisify(execFile)(process.execPath, args, { cwd: repoRoot }).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (error: { code: number; stdout: string; stderr: string }) => ({
      code: error.code,
      output: error.stdout + error.stderr,
    }),
  );
}

describe("the action's bundle", () => {
  it("is what `npm run build:action` builds from the sources, byte for byte", async () => {
    const result = await check();
    expect(result.output).toContain("action/dist is current");
    expect(result.code).toBe(0);
  });

  it("is reported stale, naming the file and the command to run, when it differs from a fresh build", async () => {
    const stale = mkdtempSync(join(tmpdir(), "devflow-stale-action-"));
    dirs.push(stale);
    cpSync(join(repoRoot, "action", "dist"), stale, { recursive: true });
    const index = join(stale, "index.js");
    writeFileSync(index, `${readFileSync(index, "utf8")}\n// edited by hand\n`);
    const result = await check(stale);
    expect(result.code).toBe(1);
    expect(result.output).toContain("index.js");
    expect(result.output).toContain("npm run build:action");
  });
});
