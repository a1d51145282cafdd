// Turns a comment or review body into the commands it holds (DESIGN §3): a command is the first word
// of a line, starting with "/". Parsing is separate from acting: authorization and the engine act on
// the values this returns.

export type CommandName = "approve" | "reject" | "abort" | "retry" | "status" | "help" | "devflow";

export type ParsedCommand =
  | { name: "approve"; gate?: string }
  | { name: "reject"; reason: string }
  | { name: "abort" }
  | { name: "retry" }
  | { name: "status" }
  | { name: "help" }
  | { name: "run"; template?: string }
  /** `/devflow revise <what to change>`: the text runs on over the lines that follow, to the next command. */
  | { name: "revise"; text: string }
  | { name: "unknown"; word: string };

const GATE = /^[a-z][a-z0-9_]*$/;
const TEMPLATE = /^[a-z][a-z0-9_-]*(@\d+)?$/;

/**
 * Each line of the body, and whether it may hold a command: lines inside fenced code blocks or quotes
 * never do (people quote each other).
 */
function* bodyLines(body: string): Generator<{ raw: string; candidate: boolean }> {
  let fenced = false;
  for (const raw of body.split(/\r?\n/)) {
    const line = raw.trim();
    if (/^(```|~~~)/.test(line)) {
      fenced = !fenced;
      yield { raw, candidate: false };
      continue;
    }
    yield { raw, candidate: !fenced && !line.startsWith(">") && line.startsWith("/") };
  }
}

export function parseCommands(body: string | null | undefined): ParsedCommand[] {
  if (!body) return [];
  const commands: ParsedCommand[] = [];
  let revise: { name: "revise"; text: string } | undefined;
  for (const { raw, candidate } of bodyLines(body)) {
    const count = commands.length;
    if (candidate) parseLine(raw.trim(), commands);
    if (commands.length > count) {
      const last = commands.at(-1);
      revise = last?.name === "revise" ? last : undefined;
    } else if (revise) {
      revise.text = revise.text ? `${revise.text}\n${raw}` : raw.trimStart();
    }
  }
  for (const command of commands) if (command.name === "revise") command.text = command.text.trim();
  return commands;
}

/** The command a line starting with "/" holds, if any, added to `commands`. */
function parseLine(line: string, commands: ParsedCommand[]): void {
  const [first = "", ...rest] = line.split(/\s+/);
  const word = first.slice(1).toLowerCase();
  const argument = rest.join(" ").trim();
  switch (word) {
    case "approve":
      commands.push(
        argument && GATE.test(argument) ? { name: "approve", gate: argument } : { name: "approve" },
      );
      break;
    case "reject":
      commands.push({ name: "reject", reason: argument });
      break;
    case "abort":
    case "retry":
    case "status":
    case "help":
      commands.push({ name: word });
      break;
    case "devflow": {
      const [sub, template] = rest;
      if (sub?.toLowerCase() === "run") {
        commands.push(template && TEMPLATE.test(template) ? { name: "run", template } : { name: "run" });
      } else if (sub?.toLowerCase() === "status") {
        commands.push({ name: "status" });
      } else if (sub?.toLowerCase() === "revise") {
        commands.push({ name: "revise", text: line.replace(/^\S+\s+\S+\s*/, "") });
      } else {
        commands.push({ name: "unknown", word: `devflow ${sub ?? ""}`.trim() });
      }
      break;
    }
    default:
      // "/" followed by a path or a URL is not a command attempt.
      if (/^[a-z][a-z-]*$/.test(word)) commands.push({ name: "unknown", word });
  }
}

export const HELP_TEXT = [
  "devflow commands (first word of a line):",
  "- `/approve [gate]` — approve what the run waits for",
  "- `/reject <reason>` — send it back with your reason",
  "- `/abort` — stop the run",
  "- `/retry` — retry a paused run",
  "- `/status` or `/devflow status` — the run's phase, time spent and cost so far",
  "- `/devflow run [template]` — start a run for this issue",
  "- `/devflow revise <what to change>` — revise the run's pull request (the lines below it count too)",
].join("\n");
