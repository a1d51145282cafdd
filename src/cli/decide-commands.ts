// `devflow approve|reject|abort RUN`: a decision from this machine (source "cli", actor = the OS user),
// through the same engine call GitHub commands use. The process running the run (`devflow run`, or a
// worker) notices and goes on.
import { randomUUID } from "node:crypto";
import type { PrismaClient } from "../db/index.js";
import { findRun, isTerminal } from "../engine/index.js";
import { DevflowError } from "../errors/index.js";
import { loadCliEnvironment } from "./cli-environment.js";
import { invalidArguments, parseCommand, requirePositional } from "./command-args.js";
import { osActor } from "./gate.js";
import { assertStoreExistsFor, openStateStore, resolveRunId } from "./state-store.js";

export type DecisionCommand = "approve" | "reject" | "abort";

const HELPS: Record<DecisionCommand, string> = {
  approve: `Usage: devflow approve RUN [--gate GATE]

Approves the run's pending approval request (e.g. the spec at gate spec_approved), as the OS user.
RUN is the run id or its first characters. With several pending requests, --gate names one.`,
  reject: `Usage: devflow reject RUN --reason TEXT [--gate GATE]

Rejects the run's pending approval request, as the OS user: the run goes back to the phase the template
names, and the agent gets the reason with its next attempt.`,
  abort: `Usage: devflow abort RUN

Aborts the run, at a gate or while it works, as the OS user. An aborted run never continues; its final
report is written.`,
};

export async function runDecisionCommand(command: DecisionCommand, argv: string[]): Promise<number> {
  const spec = {
    name: command,
    help: HELPS[command],
    positionals: ["RUN"],
    options: {
      gate: { type: "string" },
      reason: { type: "string" },
    },
  } as const;
  const parsed = parseCommand(spec, argv);
  if (parsed.help) {
    console.log(HELPS[command]);
    return 0;
  }
  const { values, positionals } = parsed;
  const runText = requirePositional(command, positionals, 0, "RUN (a run id)");
  if (command === "reject" && !values.reason?.trim())
    throw invalidArguments(
      command,
      "devflow reject needs --reason TEXT: the agent gets it with its next attempt.",
    );
  if (command !== "reject" && values.reason !== undefined)
    throw invalidArguments(command, `--reason belongs to devflow reject, not devflow ${command}.`);
  if (command === "abort" && values.gate !== undefined)
    throw invalidArguments(command, "devflow abort ends the whole run: drop --gate.");
  const env = loadCliEnvironment();
  assertStoreExistsFor(env, runText);
  const store = await openStateStore(env);
  try {
    const runId = await resolveRunId(store.prisma, runText);
    const actor = osActor();
    if (command === "abort") {
      // The engine takes a repeated abort as a harmless replay; a person asking is told instead.
      await refuseFinished(store.prisma, runId);
      await store.engine.abort(runId, actor, "cli");
      await refuseFinished(store.prisma, runId, "aborted"); // it finished on its own meanwhile
      console.log(`Run ${runId} aborted by ${actor}.`);
      return 0;
    }
    const result = await store.engine.decide({
      runId,
      ...(values.gate ? { gateKey: values.gate } : {}),
      action: command,
      clientToken: randomUUID(),
      actor,
      source: "cli",
      ...(values.reason ? { reason: values.reason.trim() } : {}),
    });
    console.log(
      `${command === "approve" ? "Approved" : "Rejected"} gate ${result.gateKey} of run ${runId} as ${actor}; the run is ${result.runState}.`,
    );
    return 0;
  } finally {
    await store.close();
  }
}

/** Throws run_finished, naming the state, when the run is terminal (other than `allowed`). */
async function refuseFinished(prisma: PrismaClient, runId: string, allowed?: string): Promise<void> {
  const run = await findRun(prisma, runId);
  if (!run || !isTerminal(run.state) || run.state === allowed) return;
  throw new DevflowError(`Run ${runId} is already ${run.state}: it cannot be aborted.`, {
    code: "run_finished",
    details: { runId, state: run.state },
  });
}
