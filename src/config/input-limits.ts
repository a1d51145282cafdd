// Caps on what agents hand devflow (DESIGN §1: every input has a size cap). The server config's
// `limits` key sets them (inputLimitsSchema); these defaults hold for every engine that is given none
// (tests, the CLI).
import { z } from "zod";

export interface InputLimits {
  /** Characters of one transcript line; a longer line is cut, with a marker saying how much was left out. */
  readonly transcriptLineChars: number;
  /** Bytes of one session's transcript; past it, the rest of the agent's output is dropped (one marker line). */
  readonly transcriptBytesPerSession: number;
  /** Bytes of an artifact file; a larger one fails its attempt (`artifact_too_large`) unread. */
  readonly artifactBytes: number;
  /** Bytes of a final report; a longer report is cut, with a note where. */
  readonly reportBytes: number;
  /** Bytes of a prompt as stored for the dashboard (the agent always gets all of it); cut with a note. */
  readonly promptBytes: number;
}

export const DEFAULT_INPUT_LIMITS: InputLimits = Object.freeze({
  transcriptLineChars: 16_000,
  transcriptBytesPerSession: 64 * 1024 * 1024,
  artifactBytes: 4 * 1024 * 1024,
  reportBytes: 4 * 1024 * 1024,
  promptBytes: 1024 * 1024,
});

const bounded = (min: number, max: number, fallback: number) => z.int().min(min).max(max).default(fallback);

/** The server config's `limits`: each cap within sane bounds, each with its default. */
export const inputLimitsSchema = z
  .strictObject({
    transcriptLineChars: bounded(200, 1_000_000, DEFAULT_INPUT_LIMITS.transcriptLineChars),
    transcriptBytesPerSession: bounded(64 * 1024, 2 ** 40, DEFAULT_INPUT_LIMITS.transcriptBytesPerSession),
    artifactBytes: bounded(1024, 1024 ** 3, DEFAULT_INPUT_LIMITS.artifactBytes),
    reportBytes: bounded(16 * 1024, 1024 ** 3, DEFAULT_INPUT_LIMITS.reportBytes),
    promptBytes: bounded(16 * 1024, 1024 ** 3, DEFAULT_INPUT_LIMITS.promptBytes),
  })
  .default({ ...DEFAULT_INPUT_LIMITS });
