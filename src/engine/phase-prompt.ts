// The prompt of a phase attempt: the persona's and phase's instructions with everything a person or an
// earlier agent wrote fenced as data (build-prompt.ts), in an envelope whose dedupKey makes a resend the
// same prompt; and its recording before it is sent, so a replayed job never sends it twice.
import { randomUUID } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { DEFAULT_INPUT_LIMITS } from "../config/index.js";
import type { PhaseAttempt, Prisma, Run } from "../db/index.js";
import type { WorkflowDefinition, WorkflowPhase } from "../registry/index.js";
import type { SessionHandle } from "../sessions/index.js";
import { type PromptEnvelope, promptDedupKey } from "../sessions/index.js";
import { buildPrompt, type PromptData } from "./build-prompt.js";
import { cutToBytes } from "./cut-to-bytes.js";
import { messageOf } from "./failure-reason.js";
import { type RevisionComment, storedComments } from "./request-revision.js";
import { requestsOfRevision } from "./revision-chain.js";
import { earlierArtifacts } from "./revision-prompt.js";
import { appendRunEvents } from "./run-events.js";
import { recordSandboxFailure } from "./sandbox-failure.js";
import { phaseInstructions, roleOf } from "./template-plan.js";
import type { WorkerContext } from "./worker-context.js";

export interface EnvelopeInput {
  artifactPath: string;
  schemaPath: string;
  prompt: number;
  problems?: string[];
}

/** What people asked a revision to change: a `/devflow revise` comment or a review with its inline comments. */
export interface RevisionAsk {
  readonly revision: number;
  readonly actor: string;
  readonly source: string;
  readonly text: string;
  readonly comments: readonly RevisionComment[];
}

/**
 * Everything in a prompt that people or other agents wrote — the title and text, accepted
 * artifacts, what a revision was asked to change (each inline review comment in a block of its own,
 * with its file, line and diff hunk), a reviewer's feedback — as data blocks, which buildPrompt fences;
 * never as instructions.
 */
export function promptData(
  run: Pick<Run, "title" | "requirements">,
  earlier: readonly Pick<PhaseAttempt, "phaseKey" | "artifact">[],
  feedback: string | null,
  asks: readonly RevisionAsk[] = [],
): PromptData[] {
  const data: PromptData[] = [
    {
      label: run.title ? `the request: ${run.title}` : "the request",
      from: "a user of the repository",
      text: run.requirements,
    },
  ];
  for (const done of earlier) {
    data.push({
      label: `the accepted ${done.phaseKey} artifact`,
      from: `the ${done.phaseKey} phase's agent`,
      text: JSON.stringify(done.artifact, null, 2),
    });
  }
  for (const ask of asks) {
    const from = `@${ask.actor}, a user of the repository`;
    const how = ask.source === "review" ? "a review that requests changes" : "`/devflow revise`";
    data.push({
      label: `revision ${ask.revision} request (${how})`,
      from,
      text: ask.text.trim() || "(no text)",
    });
    ask.comments.forEach((comment, index) => {
      data.push({
        label: `inline review comment ${index + 1} of ${ask.comments.length}`,
        from,
        text: [
          `File: ${comment.path}`,
          `Line: ${comment.line ?? "(none: the comment is on an outdated diff)"}`,
          "Diff hunk:",
          comment.diffHunk,
          "Comment:",
          comment.body,
        ].join("\n"),
      });
    });
  }
  if (feedback) data.push({ label: "feedback on the previous attempt", from: "a reviewer", text: feedback });
  return data;
}

export async function buildEnvelope(
  context: WorkerContext,
  run: Run,
  template: WorkflowDefinition,
  phase: WorkflowPhase,
  attempt: PhaseAttempt,
  input: EnvelopeInput,
): Promise<PromptEnvelope> {
  const role = roleOf(template, phase.role);
  const persona = context.registry.personas.get(role.persona);
  const earlier = await earlierArtifacts(context.prisma, run, template, phase.key);
  const data = promptData(run, earlier, attempt.feedback, await revisionAsks(context.prisma, run));
  const scenario = scenarioFor(run.scenarios, phase.key, attempt.attempt);
  const instructions = buildPrompt({
    personaTitle: persona?.definition.title ?? role.id,
    personaInstructions: persona?.definition.instructions ?? "",
    phaseKey: phase.key,
    attempt: attempt.attempt,
    phaseInstructions: phaseInstructions(template, phase, run),
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

/** What the requests a revision took asked for (none for a first run). */
async function revisionAsks(prisma: WorkerContext["prisma"], run: Run): Promise<RevisionAsk[]> {
  if (run.revision <= 1) return [];
  return (await requestsOfRevision(prisma, run.id)).map((request) => ({
    revision: run.revision,
    actor: request.actor,
    source: request.source,
    text: request.text,
    comments: storedComments(request.comments),
  }));
}

/** Fake-agent scenarios: `{ phase: "ok" }` or `{ phase: ["crash", "ok"] }` (one per attempt, last repeats). */
function scenarioFor(scenarios: Prisma.JsonValue, phaseKey: string, attempt: number): string | undefined {
  if (!scenarios || typeof scenarios !== "object" || Array.isArray(scenarios)) return undefined;
  const entry = (scenarios as Record<string, unknown>)[phaseKey];
  if (typeof entry === "string") return entry;
  if (Array.isArray(entry) && entry.length > 0) return String(entry[Math.min(attempt, entry.length) - 1]);
  return undefined;
}

function storedPrompt(context: WorkerContext, instructions: string): string {
  const maxBytes = context.limits?.promptBytes ?? DEFAULT_INPUT_LIMITS.promptBytes;
  return cutToBytes(
    instructions,
    maxBytes,
    (omitted) =>
      `\n\n… ${omitted} more bytes of this prompt are not stored (limits.promptBytes); the agent got them all.\n`,
  );
}

/** Records the prompt (its dedupKey is unique) before sending: a replayed job never sends it twice. */
export async function sendOnce(
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
          // The prompt as the agent got it (persona, instructions, fenced data), cut for storage only.
          envelope: { ...envelope, instructions: storedPrompt(context, envelope.instructions) },
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
    const { phaseKey, attempt } = envelope;
    await recordSandboxFailure(context, run.id, { phaseKey, attempt }, error);
    context.sessions.forget(session.sessionId);
    await context.prisma.session.update({
      where: { id: session.sessionId },
      data: { state: "FAILED_NEEDS_HUMAN" },
    });
    context.log.warn({ runId: run.id, err: messageOf(error) }, "prompt could not be sent");
    return false;
  }
}
