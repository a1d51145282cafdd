// Wraps a failed git command once, at the edge, into a DevflowError. git's output is kept (as the cause
// and in details, for a person to read) with secrets cut out: none reaches an error message, its details,
// its cause or a log line built from them.
import { DevflowError, type ErrorClass, type ErrorCode } from "../errors/index.js";
import { gitOutput } from "./git-output.js";

export interface GitErrorOptions {
  code: ErrorCode;
  /** Caught while running git (a GitCommandError, or anything else thrown). */
  error: unknown;
  authHeader?: string;
  details?: Record<string, unknown>;
  class?: ErrorClass;
  recoveryHint?: string;
}

export function gitError(message: string, options: GitErrorOptions): DevflowError {
  const output = gitOutput(options.error, options.authHeader);
  const cause = new Error(output);
  cause.name = "GitError";
  return new DevflowError(message, {
    code: options.code,
    class: options.class,
    recoveryHint: options.recoveryHint,
    cause,
    details: { ...options.details, gitOutput: output },
  });
}
