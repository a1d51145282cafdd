// A YAML syntax error in words a person can act on: where (line, column, and the key whose value it
// is in), what the parser found — without the parser's trailing colon and code frame — and the lines
// around it.
import { YAMLError } from "yaml";

export interface YamlSyntaxProblem {
  line?: number;
  column?: number;
  /** The dotted key whose value holds the error, e.g. "agents.fake", when one encloses it. */
  key?: string;
  /** What the parser found, e.g. "Flow map in block collection must … end with a }". */
  what: string;
  /** e.g. `line 3, column 1, in the value of \`agents.fake\` (line 2): Flow map … end with a }` */
  summary: string;
  /** The offending line and the one before it, numbered. */
  excerpt: string;
}

const KEY_LINE = /^(\s*)(?:-\s+)?["']?([^\s"':#][^"':#]*?)["']?\s*:(?:\s|$)/;

/** The key (dotted with its parents) whose value the error at `lineIndex` (0-based) sits in. */
function enclosingKey(lines: string[], lineIndex: number): { key: string; line: number } | undefined {
  const path: string[] = [];
  let found: number | undefined;
  let indent = Number.POSITIVE_INFINITY;
  // The error line itself may start a new key (the parser noticed only there that the previous value
  // did not end): look from the line before it.
  for (let index = lineIndex - 1; index >= 0; index--) {
    const match = KEY_LINE.exec(lines[index] ?? "");
    if (!match) continue;
    const width = match[1]?.length ?? 0;
    if (width >= indent) continue;
    path.unshift(match[2] ?? "");
    found ??= index + 1;
    indent = width;
    if (width === 0) break;
  }
  return found === undefined ? undefined : { key: path.join("."), line: found };
}

export function describeYamlError(error: unknown, text: string): YamlSyntaxProblem {
  const raw = error instanceof Error ? error.message : String(error);
  // yaml's message is "<what> at line L, column C:\n\n<code frame>": keep the what.
  const first = raw.split("\n")[0] ?? raw;
  const what = first.replace(/ at line \d+, column \d+:?$/, "").replace(/:$/, "");
  const stated = / at line (\d+), column (\d+):?$/.exec(first);
  const position =
    error instanceof YAMLError && error.linePos
      ? error.linePos[0]
      : stated
        ? { line: Number(stated[1]), col: Number(stated[2]) }
        : undefined;
  if (!position) return { what, summary: what, excerpt: "" };
  const lines = text ? text.split(/\r?\n/) : [];
  const enclosing = enclosingKey(lines, position.line - 1);
  const from = Math.max(1, position.line - 1);
  const width = String(position.line).length;
  const excerpt = lines
    .slice(from - 1, position.line)
    .map((content, offset) => `  ${String(from + offset).padStart(width)} | ${content}`)
    .join("\n");
  const where = `line ${position.line}, column ${position.col}${enclosing ? `, in the value of \`${enclosing.key}\` (line ${enclosing.line})` : ""}`;
  return {
    line: position.line,
    column: position.col,
    ...(enclosing ? { key: enclosing.key } : {}),
    what,
    summary: `${where}: ${what}`,
    excerpt,
  };
}
