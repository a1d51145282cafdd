// One phase attempt on this host: the role's session, the prompt (sent once per dedupKey), then the
// artifact — validated, re-prompted with its problems in words, or the attempt failed with a reason.
// The prompt lives in phase-prompt.ts, the watched wait in watch-artifact.ts, the ends of an attempt in
// finish-phase.ts (accepted) and fail-attempt.ts (failed).
import { rename } from "node:fs/promises";
import { join } from "node:path";
import { DEFAULT_INPUT_LIMITS } from "../config/index.js";
import type { Run } from "../db/index.js";
import { isDevflowError } from "../errors/index.js";
import type { SessionHandle } from "../sessions/index.js";
import { validateArtifact } from "./artifact-validator.js";
import { BudgetWatch, crossingNow } from "./budget-watch.js";
import { agentFor } from "./choose-agent.js";
import { failAttempt, SESSION_LOST_REASON } from "./fail-attempt.js";
import { expectedArtifact, messageOf, quoteTail } from "./failure-reason.js";
import { acceptArtifact } from "./finish-phase.js";
import { parkForBudget } from "./park-for-budget.js";
import { buildEnvelope, sendOnce } from "./phase-prompt.js";
import { ensureWorktree, hasWorktree } from "./prepare-run.js";
import { recordSessionUsage } from "./record-session-usage.js";
import { appendRunEvents } from "./run-events.js";
import { recordSandboxFailure } from "./sandbox-failure.js";
import { findPhase, readDefinition, roleOf } from "./template-plan.js";
import { type AdvanceGuard, waitWatchingRun } from "./watch-artifact.js";
import { artifactPathOf, type WorkerContext } from "./worker-context.js";
import { validWrittenArtifact } from "./written-artifact.js";

export type { AdvanceGuard } from "./watch-artifact.js";

type RunWithTemplate = Run & { template: { definition: unknown } };

export async function executeCurrentPhase(
  context: WorkerContext,
  run: RunWithTemplate,
  guard: AdvanceGuard = { lost: () => false },
): Promise<void> {
  const template = readDefinition(run.template.definition);
  if (!run.currentPhaseKey) throw new Error(`run ${run.id} is executing without a phase`);
  const phase = findPhase(template, run.currentPhaseKey);
  const attempt = await context.prisma.phaseAttempt.findFirstOrThrow({
    where: { runId: run.id, phaseKey: phase.key },
    orderBy: { attempt: "desc" },
  });
  if (attempt.state !== "running")
    throw new Error(`run ${run.id}: attempt ${attempt.id} is ${attempt.state}`);

  const worktreePath = hasWorktree(context, run.id)
    ? join(context.workspaceRoot, run.id, "main")
    : (await ensureWorktree(context, run)).worktreePath;
  const written = await alreadyWritten(context, run, phase.key, attempt.attempt);
  if (written) return acceptArtifact(context, run, template, phase, attempt, { ...written, worktreePath });
  // Nothing more is spent once a limit is crossed: the run waits at the budget gate before a session starts.
  const crossed = await crossingNow(context, run, phase.key, attempt.attempt);
  if (crossed) return parkForBudget(context, { run, phase, attempt, crossing: crossed });
  const fail = (code: string, reason: string) => failAttempt(context, { run, phase, attempt, code, reason });
  const artifactPath = artifactPathOf(context, run.id, phase.key, attempt.attempt);
  const schemaEntry = context.registry.schemas.get(phase.artifact);
  if (!schemaEntry) return fail("template_not_found", `No artifact schema ${phase.artifact} is loaded.`);
  const schemaPath = join(context.registry.dir, schemaEntry.file);
  const role = roleOf(template, phase.role);
  let session: SessionHandle;
  try {
    session = await context.sessions.ensureSession(
      { id: run.id, worktreePath },
      role.id,
      agentFor(context, run, role),
      { phaseKey: phase.key, attempt: attempt.attempt, artifactPath, artifactSchemaPath: schemaPath },
    );
  } catch (error) {
    await recordSandboxFailure(context, run.id, { phaseKey: phase.key, attempt: attempt.attempt }, error);
    return fail("session_start_failed", `The ${role.id} session did not start: ${messageOf(error)}`);
  }

  const deliveries = await context.prisma.promptDelivery.findMany({
    where: { runId: run.id, phaseKey: phase.key, attempt: attempt.attempt },
    orderBy: { sentAt: "asc" },
  });
  const last = deliveries.at(-1);
  if (last && last.sessionId !== session.sessionId) {
    // The prompt went to a session that died with its worker: this attempt is lost, not the run.
    return fail("session_lost", SESSION_LOST_REASON);
  }

  // The artifact is opened only as a plain file under the workspace, never past the size cap.
  const artifactFile = {
    root: context.workspaceRoot,
    maxBytes: context.limits?.artifactBytes ?? DEFAULT_INPUT_LIMITS.artifactBytes,
  };
  const maxPrompts = context.promptsPerAttempt ?? 3;
  const timeoutMs = context.phaseTimeoutMs ?? phase.timeoutSeconds * 1000;
  const deadline = attempt.startedAt.getTime() + timeoutMs;
  let promptsSent = deliveries.length;
  if (last && (await context.sessions.adapterFor(session).wasDelivered?.(session, last.dedupKey)) === false) {
    // Recorded, but its worker died before the agent got it: send that same prompt (same dedupKey) now.
    const envelope = await buildEnvelope(context, run, template, phase, attempt, {
      artifactPath,
      schemaPath,
      prompt: deliveries.length - 1,
    });
    context.log.info(
      { runId: run.id, dedupKey: envelope.dedupKey },
      "sending a recorded prompt its agent never got",
    );
    await context.sessions.sendPrompt(session, envelope);
  }
  let problems: string[] | undefined;

  for (;;) {
    if (promptsSent === 0 || problems) {
      if (promptsSent >= maxPrompts) {
        return fail(
          "artifact_invalid",
          `The artifact was still invalid after ${maxPrompts} prompts: ${problems?.join("; ")}`,
        );
      }
      const envelope = await buildEnvelope(context, run, template, phase, attempt, {
        artifactPath,
        schemaPath,
        prompt: promptsSent,
        ...(problems ? { problems } : {}),
      });
      const sent = await sendOnce(context, run, session, envelope);
      if (!sent) {
        return fail("session_crashed", `The ${role.id} session stopped taking prompts.`);
      }
      promptsSent += 1;
      problems = undefined;
    }
    // The budget is checked as the agent reports usage: a crossed limit ends the wait and the session.
    const budget = new BudgetWatch(context, { run, phaseKey: phase.key, attempt: attempt.attempt, session });
    const outcome = await waitWatchingRun(context, run, {
      session,
      path: artifactPath,
      schema: schemaEntry.definition,
      deadline,
      guard,
      file: artifactFile,
      stop: budget.signal,
    }).finally(() => budget.stop());
    if (budget.crossing && outcome.status !== "valid") {
      return parkForBudget(context, { run, phase, attempt, crossing: budget.crossing, session });
    }
    if (outcome.status === "aborted") return; // the run moved on (e.g. /abort): the caller reloads it
    // A timed-out agent is still running and about to be stopped: waiting for it to exit only delays that.
    await recordSessionUsage(context, run.id, session, outcome.status === "timeout" ? 0 : undefined);
    if (outcome.status === "session_died") {
      // A one-shot agent writes its artifact and exits at once: look at the file one last time.
      const last = await validateArtifact(artifactPath, schemaEntry.definition, artifactFile).catch(
        (error: unknown) => (isDevflowError(error) ? error : Promise.reject(error)),
      );
      if (isDevflowError(last)) {
        context.sessions.forget(session.sessionId);
        return fail(last.code, last.message);
      }
      if (last.ok) {
        return acceptArtifact(context, run, template, phase, attempt, {
          value: last.value,
          sha256: last.sha256,
          worktreePath,
        });
      }
      context.sessions.forget(session.sessionId);
      // An agent that exits without its artifact: the reason quotes how it ended and its last lines.
      const exit = context.sessions.adapterFor(session).lastExit?.(session);
      const how = exit ? ` (exit ${exit.code ?? exit.signal}): ${quoteTail(exit.tail)}` : "";
      return fail(
        "session_crashed",
        `The ${role.id} session ended without writing the artifact: ${expectedArtifact(phase.artifact, artifactPath)}${how}.`,
      );
    }
    if (outcome.status === "refused") {
      // A link, a FIFO or an oversized file is never read, and never re-prompted for: the attempt ends.
      return fail(outcome.error.code, outcome.error.message);
    }
    if (outcome.status === "timeout") {
      return fail(
        "artifact_timeout",
        `No valid artifact within ${Math.round(timeoutMs / 1000)} s: ${expectedArtifact(phase.artifact, artifactPath)}.`,
      );
    }
    if (outcome.status === "valid") {
      return acceptArtifact(context, run, template, phase, attempt, {
        value: outcome.value,
        sha256: outcome.sha256,
        worktreePath,
      });
    }
    problems = outcome.problems;
    await context.prisma.$transaction((tx) =>
      appendRunEvents(tx, run.id, [
        { type: "artifact.rejected", payload: { phaseKey: phase.key, attempt: attempt.attempt, problems } },
      ]),
    );
    // Set the rejected file aside so the next wait judges only a new one.
    await rename(artifactPath, `${artifactPath}.rejected-${promptsSent}`).catch(() => {});
  }
}

/**
 * A valid artifact written for this attempt after it was prompted — by an agent whose session went with
 * a stopped worker (or `devflow run` stopped with Ctrl-C): the phase's result, not a reason to prompt again.
 */
async function alreadyWritten(
  context: WorkerContext,
  run: RunWithTemplate,
  phaseKey: string,
  attempt: number,
) {
  const prompted = await context.prisma.promptDelivery.count({ where: { runId: run.id, phaseKey, attempt } });
  return prompted > 0 ? validWrittenArtifact(context, run, phaseKey, attempt) : undefined;
}
