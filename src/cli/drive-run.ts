// `devflow run`'s loop over one run: advance it with the local worker while it has work, wait at its
// gates, and show its events and the agent's output until it ends or the person presses Ctrl-C.

import type { RunState } from "../engine/index.js";
import { findRun, isTerminal, latestAttemptOf, runEventsAfter, WORKING_STATES } from "../engine/index.js";
import { DevflowError } from "../errors/index.js";
import { sleep, waitAtGate } from "./gate.js";
import type { LocalWorker } from "./local-worker.js";
import type { ProgressReporter } from "./progress-reporter.js";
import type { StateStore } from "./state-store.js";
import { latestTranscript, readTail } from "./transcript-tail.js";

export interface DriveRunOptions {
  store: StateStore;
  worker: LocalWorker;
  runId: string;
  reporter: ProgressReporter;
  interactive: boolean;
  signal: AbortSignal;
  /** Resolves once the worker has drained after an interrupt. */
  stopped: Promise<void>;
  onInterrupt: () => void;
}

const REFRESH_MS = 400;

export async function driveRun(options: DriveRunOptions): Promise<"ended" | "interrupted"> {
  const { store, runId, reporter, signal } = options;
  const view = new RunWatcher(store, runId, reporter);
  const refresh = setInterval(() => void view.refresh().catch(() => {}), REFRESH_MS);
  try {
    await view.refresh();
    for (;;) {
      if (signal.aborted) return "interrupted";
      const run = await findRunOrThrow(store, runId);
      if (isTerminal(run.state) && run.reportWrittenAt) {
        await view.refresh();
        reporter.clearFooter();
        return "ended";
      }
      if (isTerminal(run.state) || (WORKING_STATES as readonly RunState[]).includes(run.state)) {
        // Stops its sessions and writes the report of a run that ended; steps a working run to its next stop.
        const advancing = options.worker.advance();
        advancing.catch(() => {}); // abandoned on interrupt: the process exits without it
        const outcome = await Promise.race([advancing, options.stopped.then(() => "interrupted" as const)]);
        if (outcome === "interrupted" || outcome === "shutting_down") return "interrupted";
        if (outcome === "locked_elsewhere") await sleep(500, signal); // another process advances it: watch
        continue;
      }
      await view.refresh();
      await waitAtGate({
        store,
        runId,
        reporter,
        interactive: options.interactive,
        signal,
        onInterrupt: options.onInterrupt,
      });
    }
  } finally {
    clearInterval(refresh);
  }
}

async function findRunOrThrow(store: StateStore, runId: string) {
  const run = await findRun(store.prisma, runId);
  if (!run) throw new DevflowError(`No run ${runId}.`, { code: "run_not_found", details: { runId } });
  return run;
}

/** Prints the run's new events and redraws the status footer. */
class RunWatcher {
  #lastSeq = 0;
  #busy = false;

  constructor(
    private readonly store: StateStore,
    private readonly runId: string,
    private readonly reporter: ProgressReporter,
  ) {}

  async refresh(): Promise<void> {
    if (this.#busy) return;
    this.#busy = true;
    try {
      const events = await runEventsAfter(this.store.prisma, this.runId, this.#lastSeq);
      for (const event of events) {
        this.reporter.event(event);
        this.#lastSeq = event.seq;
      }
      const run = await findRunOrThrow(this.store, this.runId);
      if (isTerminal(run.state) || run.state === "awaiting_approval") return;
      const attempt = run.currentPhaseKey
        ? await latestAttemptOf(this.store.prisma, this.runId, run.currentPhaseKey)
        : null;
      const transcript = await latestTranscript(this.store.prisma, this.runId);
      this.reporter.status({
        runState: run.state,
        phase: run.currentPhaseKey,
        attempt: attempt?.attempt ?? null,
        attemptStartedAt: attempt?.startedAt ?? null,
        runStartedAt: run.startedAt ?? run.createdAt,
        tail: transcript ? await readTail(transcript.path, 5) : [],
      });
    } finally {
      this.#busy = false;
    }
  }
}
