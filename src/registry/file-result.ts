import type { RegistryProblem } from "./registry-problem.js";

/** A file's entry if it is valid, otherwise every problem found in it. */
export type FileResult<E> = { ok: true; entry: E } | { ok: false; problems: RegistryProblem[] };
