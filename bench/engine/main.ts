// devflow engine bench: throughput against a BullMQ floor measured in the same run, and the cost of
// parked runs. A program, not a test: it prints figures and ratios. See bench/README.md.
import { rmSync } from "node:fs";
import { runBenchProgram } from "./abort-cleanup.js";
import { tempDir } from "./engine-env.js";
import { probeGit } from "./git-fixture.js";
import { describeMachine, redisServer } from "./machine.js";
import { type BackendName, DEFAULT_RUNS, parseBenchOptions } from "./options.js";
import { type ParkedFigures, parkedPart, parkedSummary } from "./parked.js";
import { ms } from "./stats.js";
import { type ThroughputFigures, throughputPart, throughputSummary } from "./throughput-part.js";

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2), process.env);
  const redis = (await redisServer(options.redisUrl))?.version;
  let backends: BackendName[] = options.backends;
  if (!redis && backends.includes("redis")) {
    if (backends.length === 1)
      throw new Error(`Redis does not answer at ${options.redisUrl}: set REDIS_URL.`);
    console.log(`Redis does not answer at ${options.redisUrl}: measuring the Postgres backend only.`);
    backends = backends.filter((backend) => backend !== "redis");
  }
  console.log("devflow engine bench");
  console.log(await describeMachine(options.serverUrl, redis));
  console.log(
    `  sizes: --runs ${options.runs} --parked ${options.parked} --approvals ${options.approvals} --concurrency ${options.concurrency} --repeat ${options.repeat}; backends: ${backends.join(", ")}; artifact poll: ${options.artifactPollMs ?? "engine default (100)"} ms; fake agent writeDelayMs 0`,
  );
  if (options.runs === DEFAULT_RUNS) {
    console.log(
      `  (--runs defaults to ${DEFAULT_RUNS}, not 1,000: about one fake run per second on 2 cores; see bench/README.md)`,
    );
  }

  const probeDir = tempDir("git-probe");
  const git = await probeGit(probeDir, 21).finally(() => rmSync(probeDir, { recursive: true, force: true }));
  console.log(
    `  git probe (${git.samples} samples, idle): prepare (fetch + worktree) ${ms(git.prepareMs)}, commit + push ${ms(git.checkpointMs)}`,
  );

  const throughput: ThroughputFigures[] = [];
  const parked: ParkedFigures[] = [];
  for (const backend of backends) {
    if (options.runs > 0) throughput.push(await throughputPart(backend, options, git));
    if (options.parked > 0) parked.push(await parkedPart(backend, options));
  }

  console.log("\n================ summary ================");
  if (throughput.length > 0) console.log(throughputSummary(options, throughput));
  if (parked.length > 0) console.log(parkedSummary(options, parked));
  const failed = throughput.some((f) => f.failures > 0) || parked.some((f) => f.failures.length > 0);
  if (failed) console.log("\nFAIL: see the lines marked FAIL above.");
  return failed ? 1 : 0;
}

runBenchProgram(main, "ending the worker processes, dropping the bench's databases…");
