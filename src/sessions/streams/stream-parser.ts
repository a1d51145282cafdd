// A stream parser takes a CLI's JSON events one at a time, so an adapter can read stdout as it flows
// (memory bounded by the transcript's caps, not by the run's output) and still get the usage from the
// last event even when the stored transcript is capped.
import type { ParsedStream, PhaseUsage } from "./phase-usage.js";

export interface StreamParser {
  /** One JSON object of the stream (one line). */
  event(event: Record<string, unknown>): void;
  /** The transcript lines of the events so far, while the stream still flows (no side effects). */
  lines(): readonly string[];
  /** The usage of the events so far (no side effects): the budget is checked as the agent spends. */
  usage(): PhaseUsage | undefined;
  /** The transcript and usage once the stream has ended (with what its end says, e.g. no result). */
  finish(): ParsedStream;
}
