// The shell commands an agent ran, as its CLI's stream tells them (Claude's Bash tool, Codex's
// command_execution items, Gemini's run_shell_command), with how each ended: what the check run and the
// dashboard list per phase. The agent's words: one line each, bounded in length and number.
import { stripVTControlCharacters } from "node:util";

/** Commands kept per prompt; the rest are counted. */
export const MAX_COMMANDS = 200;
/** Characters kept of one command. */
export const MAX_COMMAND_CHARS = 500;

export interface AgentCommand {
  /** The command line, flattened to one line and cut at MAX_COMMAND_CHARS. */
  readonly command: string;
  /** Its exit code; null when the CLI did not say (it failed: `failed`), or it never finished. */
  readonly exitCode: number | null;
  /** True when the CLI reported it failed (a non-zero exit, a refusal, an error). */
  readonly failed: boolean;
}

export interface CommandList {
  readonly commands: readonly AgentCommand[];
  /** Commands seen past MAX_COMMANDS. */
  readonly omitted: number;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]+/g;

function oneLine(command: string): string {
  const flat = stripVTControlCharacters(command).replace(CONTROL, " ").replace(/\s+/g, " ").trim();
  return flat.length <= MAX_COMMAND_CHARS ? flat : `${flat.slice(0, MAX_COMMAND_CHARS - 1)}…`;
}

/** An exit code quoted in a tool's output ("Exit code 2", "Exit Code: 127"), if any. */
export function quotedExitCode(text: string): number | null {
  const match = /exit code:?\s*(\d{1,3})\b/i.exec(text);
  return match ? Number(match[1]) : null;
}

/** Commands by the CLI's tool-call id, in the order they started. */
export class CommandLog {
  private readonly entries: { id: string; command: string; exitCode: number | null; failed: boolean }[] = [];
  private readonly byId = new Map<string, number>();
  private omitted = 0;

  started(id: string, command: string): void {
    if (command.trim() === "") return;
    if (this.entries.length >= MAX_COMMANDS) {
      this.omitted += 1;
      return;
    }
    if (id !== "") this.byId.set(id, this.entries.length);
    this.entries.push({ id, command: oneLine(command), exitCode: null, failed: false });
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  /** How the command with this id ended; an id never started (or past the cap) is ignored. */
  finished(id: string, outcome: { exitCode: number | null; failed: boolean }): void {
    const index = this.byId.get(id);
    const entry = index === undefined ? undefined : this.entries[index];
    if (entry === undefined) return;
    entry.exitCode = outcome.exitCode;
    entry.failed = outcome.failed;
  }

  list(): CommandList {
    return {
      commands: this.entries.map(({ command, exitCode, failed }) => ({ command, exitCode, failed })),
      omitted: this.omitted,
    };
  }
}
