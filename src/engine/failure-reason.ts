// Failure reasons go into the attempt's row, the `phase.failed` event, the check run and the report:
// whatever an agent printed, a reason stays a few lines a person reads at a glance.

import { isDevflowError } from "../errors/index.js";

const TAIL_LINES = 5;
const TAIL_LINE_CHARS = 200;
const TAIL_CHARS = 800;
export const MAX_REASON_CHARS = 2_000;

/** The last lines an agent printed, as one bounded quote: at most 5 lines, 200 characters each, 800 in all. */
export function quoteTail(lines: readonly string[]): string {
  const quoted: string[] = [];
  let chars = 0;
  for (const line of lines.slice(-TAIL_LINES).reverse()) {
    const cut =
      line.length > TAIL_LINE_CHARS
        ? `${line.slice(0, TAIL_LINE_CHARS)}… [${line.length - TAIL_LINE_CHARS} more characters]`
        : line;
    if (chars + cut.length > TAIL_CHARS) break;
    quoted.unshift(cut);
    chars += cut.length;
  }
  return quoted.join(" | ");
}

/** A reason cut to MAX_REASON_CHARS, saying so. */
export function boundedReason(reason: string): string {
  return reason.length > MAX_REASON_CHARS
    ? `${reason.slice(0, MAX_REASON_CHARS)}… [${reason.length - MAX_REASON_CHARS} more characters]`
    : reason;
}

/** What an error says, for a reason: a DevflowError's message, an Error's, or the value as text. */
export function messageOf(error: unknown): string {
  if (isDevflowError(error)) return error.message;
  return error instanceof Error ? error.message : String(error);
}

/** What the agent should have done, named as the README's contract names it: the reason points at the cause. */
export function expectedArtifact(schema: string, path: string): string {
  return `the agent should have written ${schema} JSON to $DEVFLOW_ARTIFACT_PATH = ${path}`;
}
