// What the exec adapter keeps per session and per agent process, and how it starts one: in its sandbox
// (unless the operator chose sandbox: none), and how it waits for that sandbox to be gone.
import type { ChildProcess } from "node:child_process";
import { appendFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { HomeSeed, InputLimits, SandboxSettings } from "../config/index.js";
import { DevflowError } from "../errors/index.js";
import { buildAgentEnvironment } from "./agent-environment.js";
import type { EgressProxy } from "./egress/egress-proxy.js";
import { sessionEgress } from "./egress/session-egress.js";
import type { ExecOutput } from "./exec-output.js";
import type { ExecUsageOptions, PromptUsageReader } from "./exec-usage.js";
import type { PromptVia } from "./presets/agent-preset.js";
import { endSeen, type SeenProcess } from "./process-group.js";
import type { PromptEnvelope } from "./prompt-envelope.js";
import { prepareLaunch, type SessionSandbox, sessionSandbox } from "./sandbox-launch.js";
import { seedHome } from "./seed-home.js";
import type { PromptUsage, SessionHandle, SessionStartRequest } from "./session-adapter.js";

export interface ExecSessionAdapterOptions extends ExecUsageOptions {
  /** The agent's argv (its preset's, see agentLaunch); may hold the presets' placeholders. */
  readonly command: readonly string[];
  /** How the prompt reaches the command: stdin, appended as the last argument, or a path argument. */
  readonly promptVia: PromptVia;
  /** Variables copied from `env` into the agent's environment (its API key); never devflow's own. */
  readonly passThrough: readonly string[];
  /** The agent's output lines, in chunks of at most `maxChunkLines` (default 100). */
  readonly onOutput?: (sessionId: string, lines: string[]) => void;
  readonly maxChunkLines?: number;
  /** How long stop() waits after SIGTERM before SIGKILL (default 5 s). */
  readonly stopGraceMs?: number;
  /** How many last lines lastExit() quotes (default 20). */
  readonly tailLines?: number;
  /** Variables the agent's preset sets for it (AgentLaunch.env). */
  readonly presetEnv?: Readonly<Record<string, string>>;
  /** Where PATH, LANG, TERM and pass-through values come from (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** The sandbox each agent process runs in; default bubblewrap with the default settings. */
  readonly sandbox?: Partial<SandboxSettings>;
  /** devflow's repository mirrors: a worktree's repository is shown to the agent only from there. */
  readonly mirrorsDir?: string;
  /** The operator's files for each new session HOME (server config `home`). */
  readonly homeSeed?: HomeSeed;
  /** Caps on the transcript (default: DEFAULT_INPUT_LIMITS). */
  readonly limits?: Pick<InputLimits, "transcriptLineChars" | "transcriptBytesPerSession">;
}

/** How the session's last agent process ended: exit code or signal, and the last lines it printed. */
export interface ExecExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly tail: readonly string[];
}

export interface AgentProcess {
  readonly pid: number;
  /** bubblewrap's init in the sandbox: once it is gone, so is every process the agent started. */
  sandboxInit?: Promise<SeenProcess | undefined>;
  /** Settles once the process exited and its output is in the transcript; absent when resumed. */
  finished?: Promise<void>;
  /** Its prompt's usage reader (what it has reported so far, read while it runs); absent when resumed. */
  readonly reading?: PromptUsageReader;
  done: boolean;
}

export interface ExecSession {
  readonly handle: SessionHandle;
  readonly dir: string;
  readonly home: string;
  readonly transcriptPath: string;
  /** Fixed when the session starts (undefined with sandbox: none). */
  readonly sandbox?: SessionSandbox;
  /** The session's egress proxy (an agent with a network allowlist); closed when the session stops. */
  readonly egress?: EgressProxy;
  /** The output of the current prompt's process, where the proxy's refusals are noted. */
  output?: ExecOutput;
  /** Usage reported by prompts whose processes ended, until the engine takes it (takeUsage). */
  readonly usage: PromptUsage[];
  /** Prompts already given to a process (dedupKey): a replayed job never starts a second one. */
  readonly delivered: Set<string>;
  process?: AgentProcess;
  lastExit?: ExecExit;
  stopped: boolean;
  /** The prompt being sent, which the next one waits for. */
  sending: Promise<unknown>;
}

/** A new session's directory, HOME, transcript, sandbox and egress proxy (refusals go to `note`). */
export async function openExecSession(
  options: ExecSessionAdapterOptions,
  settings: SandboxSettings,
  request: SessionStartRequest,
  note: (line: string) => void,
): Promise<Omit<ExecSession, "stopped" | "sending">> {
  const home = join(request.sessionDir, "home");
  const transcriptPath = join(request.sessionDir, "transcript.log");
  // A new HOME gets the operator's files; a resumed session's HOME is the agent's own by now.
  if ((await mkdir(home, { recursive: true })) !== undefined) await seedHome(home, options.homeSeed);
  await appendFile(transcriptPath, "");
  const { sessionId, runId, roleId, cwd } = request;
  const handle: SessionHandle = { sessionId, runId, roleId, backend: "exec", cwd, transcriptPath };
  const egress = await sessionEgress(settings, note);
  const path = (options.env ?? process.env).PATH;
  const sandbox =
    settings.kind === "none"
      ? undefined
      : sessionSandbox(settings, cwd, options.command, path, options.mirrorsDir, egress);
  const session = { handle, dir: request.sessionDir, home, transcriptPath, delivered: new Set<string>() };
  return { ...session, ...(sandbox && { sandbox }), ...(egress && { egress }), usage: [] };
}

/** The whole environment of one prompt's agent process (DESIGN §4): the allowlist and the contract. */
export function execAgentEnvironment(
  options: ExecSessionAdapterOptions,
  session: ExecSession,
  envelope: PromptEnvelope,
  promptFile: string,
  usageFile: string,
): Record<string, string> {
  return buildAgentEnvironment({
    home: session.home,
    passThrough: options.passThrough,
    source: options.env,
    egress: session.sandbox?.egress !== undefined,
    ...(options.presetEnv && { presetEnv: options.presetEnv }),
    contract: {
      DEVFLOW_PROMPT_FILE: promptFile,
      DEVFLOW_ARTIFACT_PATH: envelope.expectedArtifact,
      DEVFLOW_ARTIFACT_SCHEMA: envelope.expectedSchemaPath,
      DEVFLOW_RUN_ID: envelope.runId,
      DEVFLOW_PHASE: envelope.phaseKey,
      DEVFLOW_ATTEMPT: String(envelope.attempt),
      DEVFLOW_USAGE_FILE: usageFile,
    },
  });
}

/** Waits until the sandbox's init, and with it its whole PID namespace, is gone. */
export async function sandboxEnded(agent: AgentProcess): Promise<void> {
  const init = await agent.sandboxInit;
  if (init !== undefined) await endSeen([init]);
}

/** The argv that starts the agent: in its sandbox, unless the operator chose sandbox: none. */
export async function launchArgv(
  session: ExecSession,
  envelope: PromptEnvelope,
  command: string[],
  promptFile: string,
): Promise<string[]> {
  if (session.sandbox === undefined) return command;
  const paths = {
    worktree: session.handle.cwd,
    home: session.home,
    artifactDir: dirname(envelope.expectedArtifact),
    readOnly: [dirname(promptFile), envelope.expectedSchemaPath],
  };
  return prepareLaunch(session.sandbox, paths, command, { terminal: false, infoFd: 3 });
}

export function notFound(handle: SessionHandle, why: string): DevflowError {
  return new DevflowError(`Exec session ${handle.sessionId} ${why}.`, {
    code: "session_not_found",
    details: { sessionId: handle.sessionId, backend: "exec", processId: handle.processId },
  });
}

export function spawnFailed(handle: SessionHandle, program: string, error: unknown): DevflowError {
  return new DevflowError(`The agent command ${program} could not be started: ${(error as Error).message}`, {
    code: "agent_spawn_failed",
    cause: error,
    details: { sessionId: handle.sessionId, command: program, cwd: handle.cwd },
  });
}

export function spawned(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    child.once("spawn", () => {
      child.on("error", () => {}); // later errors (a failed kill) are seen through exit and isAlive
      resolve();
    });
    child.once("error", reject);
  });
}
