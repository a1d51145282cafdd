export type ErrorClass = "recoverable" | "needs_human" | "fatal" | "bad_input";

/** What a code means to its caller: the class (what to do about it) and a default recovery hint. */
export interface CodeSpec {
  readonly class: ErrorClass;
  readonly hint: string;
}
