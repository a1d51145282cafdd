// `devflow doctor`: against real Postgres and Redis, a healthy set-up passes; then each piece is taken
// away in turn and the report names it with its fix, exits non-zero, and never shows a secret.
import { generateKeyPairSync } from "node:crypto";
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import type { DoctorCheck, DoctorReport } from "../../src/cli/doctor/doctor-report.js";
import { findExecutable } from "../../src/cli/doctor/find-executable.js";
import { runDoctor } from "../../src/cli/doctor/run-doctor.js";
import { findFreePort } from "../../src/server/free-port.js";
import { spawnDevflow } from "../support/devflow-process.js";
import { databaseUrlFor } from "../support/template-database.js";

const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
  type: "pkcs8",
  format: "pem",
}) as string;
const serverUrl = inject("postgresServerUrl");
const password = new URL(serverUrl).password;

let dir: string;
let healthy: Record<string, string>;
/** A PATH holding git and nothing else. */
let gitOnlyPath: string;
let agentScript: string;

function writeConfig(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "devflow-doctor-"));
  agentScript = join(dir, "agent.sh");
  writeFileSync(agentScript, "#!/bin/sh\nexit 0\n");
  chmodSync(agentScript, 0o755);
  gitOnlyPath = join(dir, "git-only");
  mkdirSync(gitOnlyPath);
  symlinkSync(findExecutable("git", process.env.PATH) ?? "/usr/bin/git", join(gitOnlyPath, "git"));
  healthy = {
    PATH: process.env.PATH ?? "",
    DATABASE_URL: databaseUrlFor(serverUrl, "postgres"),
    DEVFLOW_DATA_DIR: join(dir, "data"),
    DEVFLOW_CONFIG: writeConfig(
      "healthy.yml",
      `agents:\n  fake: { preset: fake }\n  mine: { preset: command, command: [${agentScript}], mode: tmux }\n`,
    ),
    APP_ID: "42",
    PRIVATE_KEY: privateKey,
    WEBHOOK_SECRET: "doctor-webhook-secret",
    DEVFLOW_HOST_ID: "doctor-test",
  };
  const redisUrl = inject("redisUrl");
  if (redisUrl) healthy.REDIS_URL = redisUrl;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

async function doctor(changes: Record<string, string | undefined>): Promise<DoctorReport> {
  return runDoctor({ env: { ...healthy, ...changes }, cwd: dir });
}

function check(report: DoctorReport, name: string): DoctorCheck {
  const found = report.checks.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no check ${name} in ${JSON.stringify(report.checks.map((c) => c.name))}`);
  return found;
}

function expectNoSecret(report: DoctorReport) {
  const text = JSON.stringify(report);
  expect(text).not.toContain("doctor-webhook-secret");
  expect(text).not.toContain(privateKey.split("\n")[1]);
  if (password) expect(text).not.toContain(password);
}

describe("devflow doctor", () => {
  it("passes a complete set-up, showing DATABASE_URL without its password", async () => {
    const report = await doctor({});
    expect(report.checks.filter((c) => c.status !== "ok")).toEqual([]);
    expect(report.ok).toBe(true);
    expect(check(report, "Postgres").summary).toMatch(/is reachable \(Postgres \d+\)/);
    if (password) expect(check(report, "Postgres").summary).toContain(":[redacted]@");
    expect(check(report, "agent mine").summary).toContain(agentScript);
    expect(check(report, "GitHub App").summary).toContain("APP_ID 42");
    expectNoSecret(report);
  });

  it("names git and tmux when PATH lacks them (tmux required by a tmux-mode agent)", async () => {
    const report = await doctor({ PATH: join(dir, "empty") });
    expect(report.ok).toBe(false);
    expect(check(report, "git")).toMatchObject({ status: "fail", summary: "not found on PATH" });
    expect(check(report, "git").fix).toContain("Install git");
    expect(check(report, "tmux")).toMatchObject({ status: "fail" });
    expect(check(report, "tmux").summary).toContain("needed by the agent mine (mode: tmux)");
    expect(check(report, "tmux").fix).toContain("Install tmux");

    const noTmuxAgent = writeConfig("exec-only.yml", "agents:\n  fake: { preset: fake }\n");
    const relaxed = await doctor({ PATH: gitOnlyPath, DEVFLOW_CONFIG: noTmuxAgent });
    expect(check(relaxed, "tmux").status).toBe("warn");
    expect(relaxed.ok).toBe(true);
  });

  it("names a DATABASE_URL that reaches no database, with the fix, and never its password", async () => {
    const missingDb = await doctor({ DATABASE_URL: databaseUrlFor(serverUrl, "no_such_database_here") });
    expect(check(missingDb, "Postgres")).toMatchObject({ status: "fail" });
    expect(check(missingDb, "Postgres").summary).toContain("the database does not exist");
    expect(check(missingDb, "Postgres").fix).toContain("createdb");
    expectNoSecret(missingDb);

    const closedPort = new URL(serverUrl);
    closedPort.port = String(await findFreePort());
    const refused = await doctor({ DATABASE_URL: closedPort.toString() });
    expect(check(refused, "Postgres").summary).toContain("nothing listens there");
    expect(check(refused, "Postgres").fix).toContain("unset it to use the embedded Postgres");
    expect(refused.ok).toBe(false);
    expectNoSecret(refused);

    const malformed = await doctor({ DATABASE_URL: "mysql://user:hunter2@db/x" });
    expect(check(malformed, "Postgres").fix).toContain("postgres://");
    expect(JSON.stringify(malformed)).not.toContain("hunter2");
  });

  it("names an unreachable REDIS_URL, and says Postgres queues are used without one", async () => {
    const report = await doctor({ REDIS_URL: `redis://:redis-pass@127.0.0.1:${await findFreePort()}` });
    expect(check(report, "Redis").status).toBe("fail");
    expect(check(report, "Redis").summary).toContain("nothing listens there");
    expect(check(report, "Redis").fix).toContain("unset REDIS_URL to queue on Postgres");
    expect(JSON.stringify(report)).not.toContain("redis-pass");

    const without = await doctor({ REDIS_URL: undefined });
    expect(check(without, "Redis")).toMatchObject({ status: "ok" });
    expect(check(without, "Redis").summary).toContain("BullMQ's Postgres backend");
  });

  it("names an agent whose command does not exist, and a preset CLI missing from PATH", async () => {
    const config = writeConfig(
      "missing-agents.yml",
      "agents:\n  fake: { preset: fake }\n  mine: { preset: command, command: [/nowhere/agent.sh] }\n  claude: { preset: claude }\n",
    );
    const report = await doctor({ DEVFLOW_CONFIG: config, PATH: gitOnlyPath });
    expect(check(report, "agent mine")).toMatchObject({ status: "fail" });
    expect(check(report, "agent mine").summary).toContain("/nowhere/agent.sh is not an executable file");
    expect(check(report, "agent mine").fix).toContain("agents.mine.command");
    expect(check(report, "agent claude").summary).toContain("claude is not on PATH");
    expect(check(report, "agent claude").fix).toContain("Install the claude CLI");
    expect(check(report, "agent fake").status).toBe("ok");
    expect(report.ok).toBe(false);
  });

  it("names a malformed private key, in the environment or saved by the setup page, without quoting it", async () => {
    const report = await doctor({
      PRIVATE_KEY: "-----BEGIN RSA PRIVATE KEY-----\nnot-a-key\n-----END RSA PRIVATE KEY-----",
    });
    expect(check(report, "GitHub App")).toMatchObject({ status: "fail" });
    expect(check(report, "GitHub App").summary).toContain("PRIVATE_KEY: is not a readable PEM private key");
    expect(JSON.stringify(report)).not.toContain("not-a-key");

    const dataDir = join(dir, "saved-data");
    mkdirSync(dataDir);
    const savedKey = { appId: 7, slug: "devflow", htmlUrl: "https://github.com/apps/devflow" };
    writeFileSync(
      join(dataDir, "github-app.json"),
      JSON.stringify({
        ...savedKey,
        githubUrl: "https://github.com",
        clientId: "Iv1.x",
        clientSecret: "saved-client-secret",
        webhookSecret: "saved-webhook-secret",
        privateKey: "-----BEGIN RSA PRIVATE KEY-----\nbroken\n-----END RSA PRIVATE KEY-----",
        registeredAt: "2025-01-01T00:00:00Z",
      }),
      { mode: 0o600 },
    );
    const saved = await doctor({
      APP_ID: undefined,
      PRIVATE_KEY: undefined,
      WEBHOOK_SECRET: undefined,
      DEVFLOW_DATA_DIR: dataDir,
    });
    expect(check(saved, "GitHub App").status).toBe("fail");
    expect(check(saved, "GitHub App").summary).toContain(join(dataDir, "github-app.json"));
    expect(check(saved, "GitHub App").fix).toContain("/setup");
    expect(JSON.stringify(saved)).not.toMatch(/saved-(client|webhook)-secret|broken/);
  });

  it("without any App credentials, points at the setup page without failing", async () => {
    const report = await doctor({
      APP_ID: undefined,
      PRIVATE_KEY: undefined,
      WEBHOOK_SECRET: undefined,
      PORT: "3999",
    });
    expect(check(report, "GitHub App")).toMatchObject({ status: "warn" });
    expect(check(report, "GitHub App").fix).toContain("http://localhost:3999/setup");
    expect(report.ok).toBe(true);
  });

  it("as a command: --json reports and exits 1 when something required is missing, 0 when all is there", async () => {
    const broken = spawnDevflow(["doctor", "--json"], { ...healthy, PATH: join(dir, "empty") });
    expect(await broken.exited).toBe(1);
    const report = JSON.parse(broken.output()) as DoctorReport;
    expect(report.ok).toBe(false);
    expect(check(report, "git").status).toBe("fail");
    if (password) expect(broken.output()).not.toContain(password);

    const fine = spawnDevflow(["doctor"], healthy);
    expect(await fine.exited).toBe(0);
    expect(fine.output()).toContain("devflow can run");
    expect(fine.output()).not.toContain("doctor-webhook-secret");

    const help = spawnDevflow(["doctor", "--help"], {});
    expect(await help.exited).toBe(0);
    expect(help.output()).toContain("Usage: devflow doctor [--json]");
  });
});
