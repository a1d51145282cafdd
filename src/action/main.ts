// The entry of devflow's GitHub Action (bundled into action/dist/index.js by scripts/build-action.mjs).
// A failure fails the job: an `::error::` annotation with devflow's message and what to do, the same
// on the job's summary page, and exit code 1.
import { isDevflowError } from "../errors/index.js";
import { appendJobSummary, renderFailureSummary } from "./job-summary.js";
import { runAction } from "./run-action.js";

/** Workflow command data escaping, as @actions/core does it (%, CR and LF). */
function escapeData(text: string): string {
  return text.replace(/%/g, "%25").replace(/\r/g, "%0D").replace(/\n/g, "%0A");
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, "%3A").replace(/,/g, "%2C");
}

async function fail(error: unknown): Promise<void> {
  const devflow = isDevflowError(error) ? error : undefined;
  const message = (error as Error)?.message ?? String(error);
  const title = devflow ? `devflow: ${devflow.code}` : "devflow: unexpected error";
  const text = devflow ? `${message}\n${devflow.recoveryHint}` : message;
  console.log(`::error title=${escapeProperty(title)}::${escapeData(text)}`);
  console.error(devflow ? `devflow: ${devflow.toDisplayString()}` : error);
  const summaryPath = process.env.GITHUB_STEP_SUMMARY;
  if (summaryPath) {
    await appendJobSummary(
      summaryPath,
      renderFailureSummary(devflow ?? (error instanceof Error ? error : new Error(message))),
    ).catch(() => {});
  }
}

try {
  await runAction(process.env, (line) => console.log(line));
  // The WASM schema engine keeps a timer alive for seconds after migrating: end the job now.
  process.exit(0);
} catch (error) {
  await fail(error);
  process.exit(1);
}
