// `devflow run` in a real terminal (a pseudo-terminal from util-linux `script`): the gate is asked there;
// a rejection takes a reason that sends the run back to the spec writer, and an approval finishes it.
import { spawn } from "node:child_process";
import { userInfo } from "node:os";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { type CliFixture, createCliFixture } from "./cli-fixture.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const PROMPT = "[a]pprove, [r]eject, a[b]ort, or [w]ait for a decision from elsewhere?";
let db: TestDatabase;
let fixture: CliFixture;

beforeAll(async () => {
  db = await createTestDatabase();
  fixture = createCliFixture(db.url);
});
afterAll(async () => {
  await db.drop();
  fixture.cleanup();
});

const quote = (text: string) => `'${text.replaceAll("'", "'\\''")}'`;

describe("devflow run in a terminal", () => {
  it("asks at the gate: reject with a reason, then approve", async () => {
    const command = [process.execPath, inject("devflowCli"), "run"]
      .concat(["--repo", fixture.repo, "--requirements", fixture.requirements])
      .map(quote)
      .join(" ");
    const terminal = spawn("script", ["-qfec", command, "/dev/null"], {
      cwd: repoRoot,
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        DEVFLOW_DATA_DIR: fixture.dataDir,
        DEVFLOW_CONFIG: fixture.configPath,
        LOG_LEVEL: "warn",
        TERM: "xterm",
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let screen = "";
    terminal.stdout.on("data", (chunk) => {
      screen += stripVTControlCharacters(String(chunk));
    });
    terminal.stderr.on("data", (chunk) => {
      screen += String(chunk);
    });
    const exited = new Promise<number | null>((resolve) => terminal.once("exit", resolve));
    const count = (text: string) => screen.split(text).length - 1;
    const until = async (what: string, times: number) => {
      const deadline = Date.now() + 90_000;
      while (count(what) < times) {
        if (Date.now() > deadline || terminal.exitCode !== null)
          throw new Error(`"${what}" ×${times} not seen. Screen:\n${screen}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    };

    await until(PROMPT, 1);
    expect(screen).toContain("Add a GREETING.md file that says hello."); // the spec, shown before the question
    terminal.stdin.write("r\n");
    await until("Reason (what should change):", 1);
    terminal.stdin.write("Say hello in French too.\n");
    await until(PROMPT, 2);
    terminal.stdin.write("a\n");
    expect(await exited).toBe(0);
    expect(screen).toMatch(/Run \S+ completed\./);

    const decisions = await db.prisma.approvalDecision.findMany({ orderBy: { createdAt: "asc" } });
    expect(decisions.map((d) => [d.action, d.source, d.actor, d.reason])).toEqual([
      ["reject", "cli", userInfo().username, "Say hello in French too."],
      ["approve", "cli", userInfo().username, null],
    ]);
    const requests = await db.prisma.approvalRequest.findMany({ orderBy: { createdAt: "asc" } });
    expect(requests.map((request) => [request.gateKey, request.state])).toEqual([
      ["spec_approved", "rejected"],
      ["spec_approved", "approved"],
    ]);
    const specs = await db.prisma.phaseAttempt.findMany({
      where: { phaseKey: "spec" },
      orderBy: { attempt: "asc" },
    });
    expect(specs.map((spec) => spec.attempt)).toEqual([1, 2]); // the rejection sent the run back to the spec
    expect(specs[1]?.feedback).toBe("Say hello in French too.");
  });
});
