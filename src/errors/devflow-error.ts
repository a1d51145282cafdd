import { ERROR_CODES, type ErrorClass, type ErrorCode } from "./codes.js";

export interface DevflowErrorOptions {
  code: ErrorCode;
  /** Defaults to the class registered for the code. */
  class?: ErrorClass;
  /** Defaults to the hint registered for the code. */
  recoveryHint?: string;
  cause?: unknown;
  /** Structured facts for logs and tests (never secrets). */
  details?: Record<string, unknown>;
}

/** The one error type of devflow: a stable `code`, what kind of failure it is, and what a person can do. */
export class DevflowError extends Error {
  override readonly name = "DevflowError";
  readonly code: ErrorCode;
  readonly class: ErrorClass;
  readonly recoveryHint: string;
  readonly details: Record<string, unknown>;

  constructor(message: string, options: DevflowErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const spec = ERROR_CODES[options.code];
    this.code = options.code;
    this.class = options.class ?? spec.class;
    this.recoveryHint = options.recoveryHint ?? spec.hint;
    this.details = options.details ?? {};
  }

  /** The message and the hint, as a person should read them. */
  toDisplayString(): string {
    return `${this.message}\n  (${this.code}) ${this.recoveryHint}`;
  }
}

export function isDevflowError(error: unknown, code?: ErrorCode): error is DevflowError {
  return error instanceof DevflowError && (code === undefined || error.code === code);
}
