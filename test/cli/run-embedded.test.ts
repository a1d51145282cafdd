// `devflow run` with no DATABASE_URL: its state lives in the data directory's embedded Postgres, and a
// `devflow approve` in another process decides on that same store — it connects to the running server
// instead of starting a second one — while Postgres stops once the last of them is done.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isProcessAlive } from "../../src/server/processes.js";
import { argvOf, type CliFixture, createCliFixture, waitFor } from "./cli-fixture.js";

let fixture: CliFixture;
beforeAll(() => {
  fixture = createCliFixture(undefined);
});
afterAll(() => fixture.cleanup());

const postmasterPid = () =>
  Number(readFileSync(join(fixture.dataDir, "postgres", "data", "postmaster.pid"), "utf8").split("\n")[0]);

describe("devflow run on the embedded default", () => {
  it("is approved from a second process sharing its Postgres, which stops when both are done", async () => {
    const run = fixture.devflow(["run", "--repo", fixture.repo, "--requirements", fixture.requirements], {
      LOG_LEVEL: "info",
    });
    const approveCommand = await waitFor(
      "the approve command",
      () => /devflow approve \S+ --gate spec_approved/.exec(run.output())?.[0],
      run,
    );
    const postgres = postmasterPid();

    const approve = fixture.devflow(argvOf(approveCommand), { LOG_LEVEL: "info" });
    expect(await approve.exited).toBe(0);
    expect(approve.output()).toContain("connected to the embedded Postgres of devflow process");
    expect(approve.output()).not.toContain("initializing an embedded Postgres");
    expect(isProcessAlive(postgres)).toBe(true); // the approver left; the run still has its store

    expect(await run.exited).toBe(0);
    expect(run.output()).toMatch(/Run \S+ completed\./);
    expect(isProcessAlive(postgres)).toBe(false);

    // The next command finds the finished run in the same data directory.
    const runId = approveCommand.split(" ")[2] as string;
    const status = fixture.devflow(["status", runId, "--json"]);
    expect(await status.exited).toBe(0);
    expect(JSON.parse(status.stdout()).run).toMatchObject({ id: runId, state: "completed" });
  });
});
