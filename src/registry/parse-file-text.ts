import { LineCounter, parseDocument } from "yaml";
import type { RegistryProblem } from "./registry-problem.js";

export type ParsedFile = { ok: true; data: unknown } | { ok: false; problems: RegistryProblem[] };

/**
 * Parses the text of a registry file as YAML (`.yaml`, `.yml`) or JSON (`.json`). Syntax errors name
 * the line and column. Every syntax error of the file is reported, not only the first.
 */
export function parseFileText(file: string, text: string): ParsedFile {
  return /\.json$/i.test(file) ? parseJson(file, text) : parseYaml(file, text);
}

function parseYaml(file: string, text: string): ParsedFile {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    return {
      ok: false,
      problems: document.errors.map((error) => {
        const { line, col } = lineCounter.linePos(error.pos[0]);
        return { file, path: `line ${line}, column ${col}`, message: `invalid YAML: ${error.message}` };
      }),
    };
  }
  try {
    return { ok: true, data: document.toJS({ maxAliasCount: 100 }) };
  } catch (error) {
    return { ok: false, problems: [{ file, message: `invalid YAML: ${(error as Error).message}` }] };
  }
}

function parseJson(file: string, text: string): ParsedFile {
  try {
    return { ok: true, data: JSON.parse(text) };
  } catch (error) {
    const message = (error as Error).message;
    const position = /at position (\d+)/.exec(message)?.[1];
    const path = position === undefined ? undefined : lineAndColumn(text, Number(position));
    const reason = message.replace(/ in JSON at position \d+.*$/s, "");
    return {
      ok: false,
      problems: [
        path === undefined
          ? { file, message: `invalid JSON: ${reason}` }
          : { file, path, message: `invalid JSON: ${reason}` },
      ],
    };
  }
}

function lineAndColumn(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split("\n").length;
  const column = offset - before.lastIndexOf("\n");
  return `line ${line}, column ${column}`;
}
