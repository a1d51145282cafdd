// One phase attempt on this host: the role's session, the prompt (sent once per dedupKey), then the
// artifact — validated, re-prompted with its problems in words, or the attempt failed with a reason.
import { randomUUID } from "node:crypto";
import { mkdir, rename } from "node:fs/promises";
import { dirname, join } from "node:path";
import { DEFAULT_INPUT_LIMITS } from "../config/input-limits.js";
import type { PhaseAttempt, Prisma, Run } from "../db/generated/client.js";
import { isDevflowError } from "../errors/index.js";
import type { WorkflowDefinition, WorkflowPhase } from "../registry/index.js";
import { type PromptEnvelope, promptDedupKey } from "../sessions/prompt-envelope.js";
import type { SessionHandle } from "../sessions/session-adapter.js";
import { validateArtifact, waitForArtifact } from "./artifact-validator.js";
import { buildPrompt, type PromptData } from "./build-prompt.js";
import { agentFor } from "./choose-agent.js";
import { quoteTail } from "./failure-reason.js";
import { acceptArtifact, failAttempt } from "./finish-phase.js";
import { ensureWorktree, hasWorktree } from "./prepare-run.js";
import { recordSessionUsage } from "./record-session-usage.js";
import { appendRunEvents } from "./run-events.js";
import { findPhase, readDefinition, roleOf } from "./template-plan.js";
import { artifactPathOf, type WorkerContext } from "./worker-context.js";
import { validWrittenArtifact } from "./written-artifact.js";

type RunWithTemplate = Run & { template: { definition: unknown } };

/** `guard.lost()` turns true when this worker no longer holds the run's lock: it must stop at once. */
export interface AdvanceGuard {
  lost(): boolean;
}

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
  const role = roleOf(template, phase.role);
  let session: SessionHandle;
  try {
    session = await context.sessions.ensureSession(
      { id: run.id, worktreePath },
      role.id,
      agentFor(context, run, role),
    );
  } catch (error) {
    return failAttempt(
      context,
      run,
      phase,
      attempt,
      "session_start_failed",
      `The ${role.id} session did not start: ${messageOf(error)}`,
    );
  }

  const deliveries = await context.prisma.promptDelivery.findMany({
    where: { runId: run.id, phaseKey: phase.key, attempt: attempt.attempt },
    orderBy: { sentAt: "asc" },
  });
  const last = deliveries.at(-1);
  if (last && last.sessionId !== session.sessionId) {
    // The prompt went to a session that died with its worker: this attempt is lost, not the run.
    return failAttempt(
      context,
      run,
      phase,
      attempt,
      "session_lost",
      "The agent session was lost with its worker; continuing from the last checkpoint.",
    );
  }

  const artifactPath = artifactPathOf(context, run.id, phase.key, attempt.attempt);
  const schemaEntry = context.registry.schemas.get(phase.artifact);
  if (!schemaEntry) {
    return failAttempt(
      context,
      run,
      phase,
      attempt,
      "template_not_found",
      `No artifact schema ${phase.artifact} is loaded.`,
    );
  }
  const schemaPath = join(context.registry.dir, schemaEntry.file);
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
        return failAttempt(
          context,
          run,
          phase,
          attempt,
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
        return failAttempt(
          context,
          run,
          phase,
          attempt,
          "session_crashed",
          `The ${role.id} session stopped taking prompts.`,
        );
      }
      promptsSent += 1;
      problems = undefined;
    }
    const outcome = await waitWatchingRun(
      context,
      run,
      session,
      artifactPath,
      schemaEntry.definition,
      deadline,
      guard,
      artifactFile,
    );
    if (outcome.status === "aborted") return; // the run moved on (e.g. /abort): the caller reloads it
    await recordSessionUsage(context, run.id, session);
    if (outcome.status === "session_died") {
      // A one-shot agent writes its artifact and exits at once: look at the file one last time.
      const last = await validateArtifact(artifactPath, schemaEntry.definition, artifactFile).catch(
        (error: unknown) => (isDevflowError(error) ? error : Promise.reject(error)),
      );
      if (isDevflowError(last)) {
        context.sessions.forget(session.sessionId);
        return failAttempt(context, run, phase, attempt, last.code, last.message);
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
      return failAttempt(
        context,
        run,
        phase,
        attempt,
        "session_crashed",
        `The ${role.id} session ended without writing the artifact${how}.`,
      );
    }
    if (outcome.status === "refused") {
      // A link, a FIFO or an oversized file is never read, and never re-prompted for: the attempt ends.
      return failAttempt(context, run, phase, attempt, outcome.error.code, outcome.error.message);
    }
    if (outcome.status === "timeout") {
      return failAttempt(
        context,
        run,
        phase,
        attempt,
        "artifact_timeout",
        `No valid artifact within ${Math.round(timeoutMs / 1000)} s.`,
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

interface EnvelopeInput {
  artifactPath: string;
  schemaPath: string;
  prompt: number;
  problems?: string[];
}

async function buildEnvelope(
  context: WorkerContext,
  run: Run,
  template: WorkflowDefinition,
  phase: WorkflowPhase,
  attempt: PhaseAttempt,
  input: EnvelopeInput,
): Promise<PromptEnvelope> {
  const role = roleOf(template, phase.role);
  const persona = context.registry.personas.get(role.persona);
  const data: PromptData[] = [
    {
      label: run.title ? `the request: ${run.title}` : "the request",
      from: "a user of the repository",
      text: run.requirements,
    },
  ];
  const earlier = await context.prisma.phaseAttempt.findMany({
    where: { runId: run.id, state: "succeeded", phaseKey: { not: phase.key } },
    orderBy: { finishedAt: "asc" },
  });
  for (const done of earlier) {
    data.push({
      label: `the accepted ${done.phaseKey} artifact`,
      from: `the ${done.phaseKey} phase's agent`,
      text: JSON.stringify(done.artifact, null, 2),
    });
  }
  if (attempt.feedback)
    data.push({ label: "feedback on the previous attempt", from: "a reviewer", text: attempt.feedback });
  const scenario = scenarioFor(run.scenarios, phase.key, attempt.attempt);
  const instructions = buildPrompt({
    personaTitle: persona?.definition.title ?? role.id,
    personaInstructions: persona?.definition.instructions ?? "",
    phaseKey: phase.key,
    attempt: attempt.attempt,
    phaseInstructions: phase.instructions,
    artifactPath: input.artifactPath,
    artifactSchema: phase.artifact,
    artifactSchemaPath: input.schemaPath,
    data,
    ...(input.problems ? { artifactProblems: input.problems } : {}),
    ...(scenario ? { scenario } : {}),
  });
  await mkdir(dirname(input.artifactPath), { recursive: true });
  return {
    uuid: randomUUID(),
    runId: run.id,
    roleId: role.id,
    phaseKey: phase.key,
    attempt: attempt.attempt,
    expectedArtifact: input.artifactPath,
    expectedSchema: phase.artifact,
    expectedSchemaPath: input.schemaPath,
    dedupKey: promptDedupKey(run.id, phase.key, attempt.attempt, input.prompt),
    instructions,
  };
}

/** Fake-agent scenarios: `{ phase: "ok" }` or `{ phase: ["crash", "ok"] }` (one per attempt, last repeats). */
function scenarioFor(scenarios: Prisma.JsonValue, phaseKey: string, attempt: number): string | undefined {
  if (!scenarios || typeof scenarios !== "object" || Array.isArray(scenarios)) return undefined;
  const entry = (scenarios as Record<string, unknown>)[phaseKey];
  if (typeof entry === "string") return entry;
  if (Array.isArray(entry) && entry.length > 0) return String(entry[Math.min(attempt, entry.length) - 1]);
  return undefined;
}

/** Records the prompt (its dedupKey is unique) before sending: a replayed job never sends it twice. */
async function sendOnce(
  context: WorkerContext,
  run: Run,
  session: SessionHandle,
  envelope: PromptEnvelope,
): Promise<boolean> {
  try {
    await context.prisma.$transaction(async (tx) => {
      await tx.promptDelivery.create({
        data: {
          id: envelope.uuid,
          runId: run.id,
          sessionId: session.sessionId,
          phaseKey: envelope.phaseKey,
          attempt: envelope.attempt,
          dedupKey: envelope.dedupKey,
          envelope: { ...envelope, instructions: undefined } as unknown as Prisma.InputJsonValue,
        },
      });
      await appendRunEvents(tx, run.id, [
        {
          type: "prompt.sent",
          payload: {
            dedupKey: envelope.dedupKey,
            sessionId: session.sessionId,
            phaseKey: envelope.phaseKey,
            attempt: envelope.attempt,
          },
        },
        {
          type: "artifact.expected",
          payload: { path: envelope.expectedArtifact, schema: envelope.expectedSchema },
        },
      ]);
    });
  } catch (error) {
    if ((error as { code?: string }).code === "P2002") return true; // already recorded (and sent) by an earlier delivery
    throw error;
  }
  try {
    await context.sessions.sendPrompt(session, envelope);
    return true;
  } catch (error) {
    context.sessions.forget(session.sessionId);
    await context.prisma.session.update({
      where: { id: session.sessionId },
      data: { state: "FAILED_NEEDS_HUMAN" },
    });
    context.log.warn({ runId: run.id, err: messageOf(error) }, "prompt could not be sent");
    return false;
  }
}

/**
 * Waits for the artifact, giving up early when the run is moved by someone else (abort) or the agent's
 * session dies (a dead agent costs its attempt now, not at the phase timeout).
 */
async function waitWatchingRun(
  context: WorkerContext,
  run: Run,
  session: SessionHandle,
  path: string,
  schema: unknown,
  deadline: number,
  guard: AdvanceGuard,
  file: { root: string; maxBytes: number },
) {
  const controller = new AbortController();
  let sessionDied = false;
  const watcher = setInterval(async () => {
    if (guard.lost()) controller.abort(); // another worker may take the run over now
    const now = await context.prisma.run
      .findUnique({ where: { id: run.id }, select: { version: true } })
      .catch(() => undefined);
    if (now && now.version !== run.version) controller.abort();
    const alive = await context.sessions
      .adapterFor(session)
      .isAlive(session)
      .catch(() => true);
    if (!alive) {
      sessionDied = true;
      controller.abort();
    }
  }, 500);
  try {
    const outcome = await context.sessions.track(
      waitForArtifact({
        path,
        ...file,
        schema: schema as Record<string, unknown>,
        timeoutMs: Math.max(0, deadline - Date.now()),
        pollMs: context.artifactPollMs ?? 100,
        signal: controller.signal,
      }),
    );
    if (outcome.status === "aborted" && sessionDied) return { status: "session_died" as const };
    return outcome;
  } finally {
    clearInterval(watcher);
  }
}

function messageOf(error: unknown): string {
  if (isDevflowError(error)) return error.message;
  return error instanceof Error ? error.message : String(error);
}
