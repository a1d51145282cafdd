// What a TUI in a pane has used in its phase attempt: the contract's usage file (DEVFLOW_USAGE_FILE, one
// per pane) and, for a TUI that keeps its own conversation record in its HOME (Claude Code), that
// record. Both are the agent's words, read the hostile-safe way (agent-file.ts). A TUI does not exit
// after a prompt, so "the usage came last" is read from the record (Claude: the turn ended) or from a
// usage file that stopped changing.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { agentEntries, readAgentFile } from "./agent-file.js";
import type { PromptUsage } from "./session-adapter.js";
import { countClaudePrompts, parseClaudeTuiLogs } from "./streams/claude-tui-log.js";
import { MAX_USAGE_FILE_BYTES, type PhaseUsage, parseUsageFile } from "./streams/index.js";
import type { TmuxAgent } from "./tmux-agent.js";
import type { PaneInfo } from "./tmux-pane-info.js";
import { paneHome, paneUsageFile } from "./tmux-pane-start.js";
import { promptFilePath } from "./tmux-prompt-files.js";

const SETTLE_MS = 500;
/** Claude's records: at most this many files, each read up to this size. */
const MAX_LOG_FILES = 20;
const MAX_LOG_BYTES = 32 * 1024 * 1024;

interface Reading {
  readonly usage: PhaseUsage[];
  /** Whether the TUI's turn is over as far as its record tells (true for a TUI that keeps none). */
  readonly turnEnded: boolean;
  /** What was read, to see whether it still changes. */
  readonly fingerprint: string;
}

async function claudeLogs(home: string): Promise<string[]> {
  const projects = await agentEntries(join(home, ".claude", "projects"), "directory", MAX_LOG_FILES);
  const files = (await Promise.all(projects.map((dir) => agentEntries(dir, "file", MAX_LOG_FILES))))
    .flat()
    .filter((path) => path.endsWith(".jsonl"))
    .slice(0, MAX_LOG_FILES);
  const texts = await Promise.all(files.map((path) => readAgentFile(path, home, MAX_LOG_BYTES)));
  return texts.map((bytes) => bytes.subarray(0, MAX_LOG_BYTES).toString("utf8"));
}

/**
 * How many prompts the TUI's own record holds (Claude: its conversation log); undefined for a TUI that
 * keeps none.
 */
export async function promptsRecorded(agent: TmuxAgent, pane: PaneInfo): Promise<number | undefined> {
  if (agent.conversationLog !== "claude") return undefined;
  return countClaudePrompts(await claudeLogs(paneHome(agent, pane.sessionDir)));
}

async function read(agent: TmuxAgent, home: string): Promise<Reading> {
  const file = await readAgentFile(paneUsageFile(home), home, MAX_USAGE_FILE_BYTES);
  const fromFile = parseUsageFile(file, agent.prices).usage;
  const logs = agent.conversationLog === "claude" ? await claudeLogs(home) : [];
  const claude = logs.length > 0 ? parseClaudeTuiLogs(logs, agent.prices) : undefined;
  const usage = [claude?.usage, fromFile].filter((found): found is PhaseUsage => found !== undefined);
  // A TUI that keeps a record has not ended its turn before the record says so (it may lag the artifact).
  const turnEnded = claude?.turnEnded ?? agent.conversationLog === undefined;
  return { usage, turnEnded, fingerprint: JSON.stringify(usage) };
}

/** The phase attempt the pane serves, from the prompt file devflow wrote (read-only to the agent). */
async function paneAttempt(sessionDir: string): Promise<{ phaseKey: string; attempt: number } | undefined> {
  const text = await readFile(promptFilePath(sessionDir), "utf8").catch(() => undefined);
  if (text === undefined) return undefined;
  const { phaseKey, attempt } = JSON.parse(text) as { phaseKey?: unknown; attempt?: unknown };
  return typeof phaseKey === "string" && typeof attempt === "number" ? { phaseKey, attempt } : undefined;
}

/**
 * The pane's usage so far, once its turn is over and its usage stopped changing, or as it stands after
 * `waitMs`. Reported as the attempt's first prompt: the totals of the whole attempt.
 */
export async function paneUsage(agent: TmuxAgent, pane: PaneInfo, waitMs: number): Promise<PromptUsage[]> {
  const attempt = await paneAttempt(pane.sessionDir);
  if (attempt === undefined) return [];
  const home = paneHome(agent, pane.sessionDir);
  const deadline = Date.now() + waitMs;
  let reading = await read(agent, home);
  // Nothing to wait for: no usage file and no record of its own.
  if (reading.usage.length === 0 && agent.conversationLog === undefined) return [];
  while (Date.now() < deadline) {
    await sleep(Math.min(SETTLE_MS, Math.max(0, deadline - Date.now())));
    const next = await read(agent, home);
    const settled = next.turnEnded && next.fingerprint === reading.fingerprint;
    reading = next;
    if (settled) break;
  }
  return reading.usage.map((usage) => ({ ...attempt, prompt: 0, usage }));
}
