// Caps on what agents hand devflow (DESIGN §1: every input has a size cap). The server config's
// `limits` key sets them; these defaults hold for every engine that is given none (tests, the CLI).

export interface InputLimits {
  /** Characters of one transcript line; a longer line is cut, with a marker saying how much was left out. */
  readonly transcriptLineChars: number;
  /** Bytes of one session's transcript; past it, the rest of the agent's output is dropped (one marker line). */
  readonly transcriptBytesPerSession: number;
  /** Bytes of an artifact file; a larger one fails its attempt (`artifact_too_large`) unread. */
  readonly artifactBytes: number;
  /** Bytes of a final report; a longer report is cut, with a note where. */
  readonly reportBytes: number;
}

export const DEFAULT_INPUT_LIMITS: InputLimits = Object.freeze({
  transcriptLineChars: 16_000,
  transcriptBytesPerSession: 64 * 1024 * 1024,
  artifactBytes: 4 * 1024 * 1024,
  reportBytes: 4 * 1024 * 1024,
});
