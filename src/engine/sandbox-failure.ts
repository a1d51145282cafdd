// A session that could not start or take its prompt because of its sandbox (bubblewrap missing, its
// files not handed over): recorded as a `sandbox.failed` event of the run with the reason (the error's
// code), which /metrics counts by reason. The attempt itself fails as any session failure does.
import { isDevflowError } from "../errors/index.js";
import { appendRunEvents } from "./run-events.js";
import type { WorkerContext } from "./worker-context.js";

/** The sandbox's error codes: the reasons /metrics labels sandbox failures with. */
export const SANDBOX_FAILURE_REASONS = ["sandbox_unavailable", "sandbox_setup_failed"] as const;

/** The sandbox reason an error (or one of its causes) carries, if any. */
export function sandboxFailureOf(error: unknown): string | undefined {
  for (let cause = error, depth = 0; cause !== undefined && depth < 5; depth++) {
    if (isDevflowError(cause) && (SANDBOX_FAILURE_REASONS as readonly string[]).includes(cause.code))
      return cause.code;
    cause = (cause as { cause?: unknown } | null)?.cause;
  }
  return undefined;
}

/** Records the failure when `error` is the sandbox's; never throws (it is a figure, not a step). */
export async function recordSandboxFailure(
  context: Pick<WorkerContext, "prisma" | "log">,
  runId: string,
  where: { phaseKey: string; attempt: number },
  error: unknown,
): Promise<void> {
  const reason = sandboxFailureOf(error);
  if (reason === undefined) return;
  await context.prisma
    .$transaction((tx) =>
      appendRunEvents(tx, runId, [{ type: "sandbox.failed", payload: { reason, ...where } }]),
    )
    .catch((failure: unknown) =>
      context.log.warn({ runId, err: failure }, "could not record a sandbox failure"),
    );
}
