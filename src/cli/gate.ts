// A run of `devflow run` at a gate. With a terminal on stdin the question is asked there (approve,
// reject with a reason, abort); otherwise — or when the person chooses to decide elsewhere — the exact
// commands are printed and the CLI waits until `devflow approve|reject|abort` from another process (or
// GitHub, for a run that has it) decides. Either way a decision made elsewhere ends the wait.
import { randomUUID } from "node:crypto";
import { userInfo } from "node:os";
import { createInterface, type Interface } from "node:readline/promises";
import type { ApprovalAction, ApprovalRequest } from "../db/index.js";
import { pendingRequestOf, requestStateOf } from "../engine/index.js";
import { isDevflowError } from "../errors/index.js";
import type { ProgressReporter } from "./progress-reporter.js";
import type { StateStore } from "./state-store.js";

/** Who decides from this machine: the OS user. */
export function osActor(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? "unknown";
  }
}

export interface GateOptions {
  store: StateStore;
  runId: string;
  reporter: ProgressReporter;
  interactive: boolean;
  /** Aborted on Ctrl-C: the wait ends and the run stays where it is. */
  signal: AbortSignal;
  /** readline sees Ctrl-C on a terminal before the process does: it is passed on here. */
  onInterrupt: () => void;
}

const POLL_MS = 300;

function pendingRequest(store: StateStore, runId: string) {
  return pendingRequestOf(store.prisma, runId);
}

/** Returns once the run's pending request is no longer pending (or on interrupt). */
export async function waitAtGate(options: GateOptions): Promise<void> {
  const request = await pendingRequest(options.store, options.runId);
  if (!request) {
    await sleep(POLL_MS, options.signal); // between a state change and its request: look again soon
    return;
  }
  const decidedElsewhere = new AbortController();
  const watcher = setInterval(async () => {
    const now = await requestStateOf(options.store.prisma, request.id).catch(() => undefined);
    if (now && now !== "pending") decidedElsewhere.abort();
  }, POLL_MS);
  const signal = AbortSignal.any([options.signal, decidedElsewhere.signal]);
  try {
    describeGate(options, request);
    if (options.interactive && (await askInTerminal(options, request, signal)) === "decided") return;
    printCommands(options, request);
    await new Promise<void>((resolve) => {
      if (signal.aborted) return resolve();
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
  } finally {
    clearInterval(watcher);
  }
}

type GateRequest = NonNullable<Awaited<ReturnType<typeof pendingRequest>>>;

function describeGate({ reporter, runId }: GateOptions, request: GateRequest): void {
  const phase = request.phase ? ` (${request.phase.phaseKey} attempt ${request.phase.attempt})` : "";
  reporter.clearFooter();
  reporter.json({
    kind: "gate",
    runId,
    gate: request.gateKey,
    requestId: request.id,
    artifactPath: request.phase?.artifactPath ?? null,
    commands: commandsFor(runId, request.gateKey),
  });
  reporter.message(`\nRun ${runId} waits for a decision at gate ${request.gateKey}${phase}.`);
  // A gate on a failed attempt (the budget's) says why it stopped: the limit and what was spent.
  if (request.phase?.state === "failed" && request.phase.failureReason)
    reporter.message(`  ${request.phase.failureReason}`);
  if (request.phase?.artifact) {
    reporter.message(indent(JSON.stringify(request.phase.artifact, null, 2), 40));
  }
  if (request.phase?.artifactPath) reporter.message(`  artifact: ${request.phase.artifactPath}`);
}

export function commandsFor(runId: string, gate: string) {
  return {
    approve: `devflow approve ${runId} --gate ${gate}`,
    reject: `devflow reject ${runId} --gate ${gate} --reason "<why>"`,
    abort: `devflow abort ${runId}`,
  };
}

function printCommands({ reporter, runId }: GateOptions, request: ApprovalRequest): void {
  const commands = commandsFor(runId, request.gateKey);
  reporter.message(
    `Decide from another terminal (same DEVFLOW_DATA_DIR or DATABASE_URL):\n  ${commands.approve}\n  ${commands.reject}\n  ${commands.abort}`,
  );
}

/** "decided" once a decision was recorded here or elsewhere; "elsewhere" to wait for another process. */
async function askInTerminal(
  options: GateOptions,
  request: GateRequest,
  signal: AbortSignal,
): Promise<"decided" | "elsewhere"> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  rl.on("SIGINT", options.onInterrupt);
  try {
    for (;;) {
      const answer = await ask(
        rl,
        "[a]pprove, [r]eject, a[b]ort, or [w]ait for a decision from elsewhere? ",
        signal,
      );
      if (answer === undefined) return "decided"; // decided elsewhere, or interrupted
      const choice = answer.trim().toLowerCase();
      if (choice === "w" || choice === "wait") return "elsewhere";
      let action: ApprovalAction | undefined;
      let reason: string | undefined;
      if (choice === "a" || choice === "approve") action = "approve";
      else if (choice === "b" || choice === "abort") action = "abort";
      else if (choice === "r" || choice === "reject") {
        reason = (await ask(rl, "Reason (what should change): ", signal))?.trim();
        if (reason === undefined) return "decided";
        if (reason === "") {
          process.stderr.write("A rejection needs a reason: the agent gets it with its next attempt.\n");
          continue;
        }
        action = "reject";
      } else {
        process.stderr.write(`"${answer.trim()}" is not one of a, r, b, w.\n`);
        continue;
      }
      try {
        await options.store.engine.decide({
          runId: options.runId,
          requestId: request.id,
          action,
          clientToken: randomUUID(),
          actor: osActor(),
          source: "cli",
          ...(reason ? { reason } : {}),
        });
        return "decided";
      } catch (error) {
        if (!isDevflowError(error)) throw error;
        process.stderr.write(`devflow: ${error.toDisplayString()}\n`);
        return "decided"; // the request changed under us: the caller looks at the run again
      }
    }
  } finally {
    rl.close();
  }
}

async function ask(rl: Interface, question: string, signal: AbortSignal): Promise<string | undefined> {
  if (signal.aborted) return undefined;
  try {
    return await rl.question(question, { signal });
  } catch (error) {
    if ((error as Error).name === "AbortError") return undefined;
    throw error;
  }
}

function indent(text: string, maxLines: number): string {
  const lines = text.split("\n");
  const shown = lines.slice(0, maxLines).map((line) => `  ${line}`);
  if (lines.length > maxLines) shown.push(`  … (${lines.length - maxLines} more lines)`);
  return shown.join("\n");
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
