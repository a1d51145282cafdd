// `devflow attach RUN -r` while a tmux-mode agent works: the terminal (a pseudo-terminal from util-linux
// `script`) shows the agent's live pane on devflow's own tmux socket, read-only, until it detaches.
import { execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { tmuxSessionName } from "../../src/sessions/tmux-pane-info.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";
import { type CliFixture, createCliFixture, waitFor } from "./cli-fixture.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const TUI_AGENT = fileURLToPath(new URL("../fixtures/tui-agent.mjs", import.meta.url));
let db: TestDatabase;
let fixture: CliFixture;
let socket: string;

beforeAll(async () => {
  db = await createTestDatabase();
  fixture = createCliFixture(db.url);
  socket = join(fixture.dataDir, "tmux", "devflow.sock");
  writeFileSync(
    fixture.configPath,
    [
      "agents:",
      `  tui: { preset: command, mode: tmux, command: [${JSON.stringify(process.execPath)}, ${JSON.stringify(TUI_AGENT)}], passThrough: [TUI_AGENT_WORK_MS] }`,
      "defaultAgent: tui",
      `sandbox: { readOnlyPaths: [${JSON.stringify(dirname(TUI_AGENT))}] }`, // the fixture agent, read-only
      "engine: { shutdownDrainSeconds: 1 }",
    ].join("\n"),
  );
});
afterAll(async () => {
  try {
    execFileSync("tmux", ["-S", socket, "kill-server"], { stdio: "ignore" });
  } catch {}
  await db.drop();
  fixture.cleanup();
});

describe("devflow attach", () => {
  it("shows a tmux-mode agent's live pane, read-only", async () => {
    const run = fixture.devflow(["run", "--repo", fixture.repo, "--requirements", fixture.requirements], {
      TUI_AGENT_WORK_MS: "120000", // still working while the test attaches
    });
    await waitFor(
      "the spec prompt",
      () => (/spec attempt 1: prompt sent/.test(run.output()) ? true : undefined),
      run,
    );
    const runId = /^Run (\S+):/m.exec(run.output())?.[1] ?? "";

    const command = [process.execPath, inject("devflowCli"), "attach", runId, "-r"].join(" ");
    const terminal = spawn("script", ["-qfec", command, "/dev/null"], {
      cwd: repoRoot,
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        DEVFLOW_DATA_DIR: fixture.dataDir,
        DEVFLOW_CONFIG: fixture.configPath,
        TERM: "xterm",
      },
      stdio: ["pipe", "pipe", "pipe"],
    });
    let screen = "";
    terminal.stdout.on("data", (chunk) => {
      screen += stripVTControlCharacters(String(chunk));
    });
    const exited = new Promise<number | null>((resolve) => terminal.once("exit", resolve));
    await waitFor("the agent's screen", () =>
      screen.includes("tui-agent — working on prompt") ? true : undefined,
    );

    const clients = execFileSync(
      "tmux",
      ["-S", socket, "list-clients", "-F", "#{client_readonly} #{session_name}"],
      {
        encoding: "utf8",
      },
    );
    expect(clients.trim()).toBe(`1 ${tmuxSessionName(runId, "spec_writer")}`);
    execFileSync("tmux", ["-S", socket, "detach-client", "-s", tmuxSessionName(runId, "spec_writer")]);
    expect(await exited).toBe(0);

    const abort = fixture.devflow(["abort", runId]);
    expect(await abort.exited).toBe(0);
    expect(await run.exited).toBe(1);
    expect(run.output()).toContain(`Run ${runId} aborted.`);
  });
});
