// `devflow logs RUN [--follow] [--json]`: the run's events, then the tail of its latest agent transcript;
// with --follow, new events and new transcript lines as they come, until the run ends (or Ctrl-C).

import type { PrismaClient } from "../db/index.js";
import { describeUsage, findRun, isTerminal, runEventsAfter, usageOfRun } from "../engine/index.js";
import { loadCliEnvironment } from "./cli-environment.js";
import { invalidArguments, parseCommand, requirePositional } from "./command-args.js";
import { sleep } from "./gate.js";
import { describeEvent, eventJson } from "./run-view.js";
import { assertStoreExistsFor, openStateStore, resolveRunId } from "./state-store.js";
import { latestTranscript, readTail, type TranscriptSource } from "./transcript-tail.js";

const HELP = `Usage: devflow logs RUN [--follow] [--json] [--lines N]

The run's events in order, then the last lines of its latest agent session's transcript.

Options:
  -f, --follow   Keep printing new events and transcript lines until the run ends
  --lines N      Transcript lines to show (default 20)
  --json         One JSON object per line: {"kind":"event",…} and {"kind":"transcript",…}
  -h, --help     Show this help`;

const SPEC = {
  name: "logs",
  help: HELP,
  positionals: ["RUN"],
  options: {
    follow: { type: "boolean", short: "f" },
    json: { type: "boolean" },
    lines: { type: "string" },
  },
} as const;

export async function runLogsCommand(argv: string[]): Promise<number> {
  const parsed = parseCommand(SPEC, argv);
  if (parsed.help) {
    console.log(HELP);
    return 0;
  }
  const { values, positionals } = parsed;
  const runText = requirePositional("logs", positionals, 0, "RUN (a run id)");
  const lines = values.lines === undefined ? 20 : Number(values.lines);
  if (!Number.isInteger(lines) || lines < 0)
    throw invalidArguments("logs", `--lines takes a whole number, found "${values.lines}".`);
  const env = loadCliEnvironment();
  assertStoreExistsFor(env, runText);
  const store = await openStateStore(env);
  let stop = false;
  const onSignal = () => {
    stop = true;
  };
  process.once("SIGINT", onSignal);
  try {
    const runId = await resolveRunId(store.prisma, runText);
    const printer = new LogPrinter(store.prisma, runId, values.json === true);
    await printer.events();
    await printer.usage();
    await printer.transcript(lines);
    while (values.follow && !stop) {
      const run = await findRun(store.prisma, runId);
      await sleep(500);
      await printer.events();
      await printer.newTranscriptLines();
      if (!run || (isTerminal(run.state) && run.reportWrittenAt)) break; // its last event was printed above
    }
    return 0;
  } finally {
    process.off("SIGINT", onSignal);
    await store.close();
  }
}

class LogPrinter {
  #lastSeq = 0;
  #source: TranscriptSource | undefined;
  #seen: string[] = [];

  constructor(
    private readonly prisma: PrismaClient,
    private readonly runId: string,
    private readonly json: boolean,
  ) {}

  async events(): Promise<void> {
    const events = await runEventsAfter(this.prisma, this.runId, this.#lastSeq);
    for (const event of events) {
      this.#lastSeq = event.seq;
      if (this.json) console.log(JSON.stringify({ kind: "event", ...eventJson(event) }));
      else console.log(`${event.createdAt.toISOString()}  ${describeEvent(event)}`);
    }
  }

  /** What the run's agents consumed so far, one line (none: nothing printed). */
  async usage(): Promise<void> {
    const usage = await usageOfRun(this.prisma, this.runId);
    if (usage.attempts.length === 0) return;
    if (this.json) console.log(JSON.stringify({ kind: "usage", ...usage }));
    else console.log(`usage: ${describeUsage(usage.total)}`);
  }

  async transcript(count: number): Promise<void> {
    this.#source = await latestTranscript(this.prisma, this.runId);
    if (!this.#source) return;
    const tail = await readTail(this.#source.path, count);
    this.#seen = await readTail(this.#source.path, 200);
    this.print(tail);
  }

  /** Lines added since the last look (the transcript of a newer session starts afresh). */
  async newTranscriptLines(): Promise<void> {
    const source = await latestTranscript(this.prisma, this.runId);
    if (!source) return;
    if (source.sessionId !== this.#source?.sessionId) {
      this.#source = source;
      this.#seen = [];
    }
    const now = await readTail(source.path, 200);
    const fresh = newLines(this.#seen, now);
    this.#seen = now;
    this.print(fresh);
  }

  private print(lines: string[]): void {
    if (!this.#source || lines.length === 0) return;
    const { sessionId, roleId, path } = this.#source;
    if (this.json) console.log(JSON.stringify({ kind: "transcript", sessionId, role: roleId, path, lines }));
    else for (const line of lines) console.log(`[${roleId}] ${line}`);
  }
}

/** The lines of `now` after the longest suffix of `before` it starts with (tails are windows of one file). */
function newLines(before: string[], now: string[]): string[] {
  for (let overlap = Math.min(before.length, now.length); overlap > 0; overlap--) {
    const end = before.slice(before.length - overlap);
    if (end.every((line, index) => line === now[index])) return now.slice(overlap);
  }
  return now;
}
