// A stream parser takes a CLI's JSON events one at a time, so an adapter can read stdout as it flows
// (memory bounded by the transcript's caps, not by the run's output) and still get the usage from the
// last event even when the stored transcript is capped.
import type { ParsedStream } from "./phase-usage.js";

export interface StreamParser {
  /** One JSON object of the stream (one line). */
  event(event: Record<string, unknown>): void;
  /** The readable lines of the events so far, without end-of-stream judgments (while it still flows). */
  lines(): readonly string[];
  /** The transcript and usage of everything seen so far, once the stream has ended. */
  finish(): ParsedStream;
}
