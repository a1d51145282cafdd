// Rows for recovery tests: a run caught mid-flight, as a crash would leave it.
import { randomUUID } from "node:crypto";
import type { RunState, SessionState } from "../../src/db/generated/enums.js";
import type { TestDatabase } from "../support/database.js";

export interface MidFlightRun {
  state: RunState;
  repository: string;
  phaseKey?: string | null;
  /** The attempt that was running (1 by default). */
  attempt?: number;
  session?: { hostId: string; state: SessionState; roleId?: string; cwd?: string };
}

export async function buildMidFlightRun(db: TestDatabase, spec: MidFlightRun) {
  const template = await db.prisma.workflowTemplate.findFirstOrThrow({
    where: { name: "development" },
    orderBy: { version: "desc" },
  });
  const runId = randomUUID();
  const phaseKey = spec.phaseKey === undefined ? "spec" : spec.phaseKey;
  await db.prisma.run.create({
    data: {
      id: runId,
      templateHash: template.hash,
      state: spec.state,
      repository: spec.repository,
      cloneUrl: spec.repository,
      baseBranch: "main",
      requirements: "Recover me",
      gates: ["spec_approved"],
      currentPhaseKey: phaseKey,
      branch: `devflow/${runId}`,
      startedAt: new Date(),
      ...(spec.state === "completed" || spec.state === "failed" || spec.state === "aborted"
        ? { finishedAt: new Date() }
        : {}),
    },
  });
  if (phaseKey) {
    for (let attempt = 1; attempt <= (spec.attempt ?? 1); attempt++) {
      const last = attempt === (spec.attempt ?? 1);
      await db.prisma.phaseAttempt.create({
        data: {
          runId,
          phaseKey,
          attempt,
          state: last ? "running" : "failed",
          ...(last ? {} : { failureCode: "artifact_timeout" }),
        },
      });
    }
  }
  let sessionId: string | undefined;
  if (spec.session) {
    const session = await db.prisma.session.create({
      data: {
        runId,
        roleId: spec.session.roleId ?? "spec_writer",
        agent: "fake",
        backend: "fake",
        cwd: spec.session.cwd ?? "/nonexistent",
        hostId: spec.session.hostId,
        state: spec.session.state,
        paneId: `fake-${randomUUID()}`,
      },
    });
    sessionId = session.id;
  }
  return { runId, sessionId };
}
