// The tmux CLI on devflow's own socket (DESIGN §4): every call is `tmux -S <socket> -f /dev/null …` run
// with execFile — argv, never a shell string — and a minimal environment, so neither the user's default
// server, their ~/.tmux.conf nor the worker's secrets reach the server devflow starts.
import { execFile } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { DevflowError } from "../errors/index.js";

export interface TmuxResult {
  readonly ok: boolean;
  readonly stdout: string;
  readonly stderr: string;
}

const SERVER_GONE = /server exited unexpectedly/;

/** What tmux says when the server, session or pane asked for does not exist. */
const MISSING =
  /no server running|error connecting to|can't find (pane|session|window)|no such (session|pane)/i;

export class TmuxClient {
  readonly socketPath: string;

  constructor(socketPath: string) {
    this.socketPath = socketPath;
  }

  /**
   * Runs one or more tmux commands in one invocation (tmux runs them in order, nothing in between);
   * throws `tmux_command_failed` (or `tmux_unavailable`) unless tmux exits 0.
   */
  async run(...commands: readonly (readonly string[])[]): Promise<string> {
    return this.expectOk(await this.tryRun(...commands), ...commands);
  }

  /** `load-buffer -b <name> -`: the text goes on tmux's stdin, never on a command line. */
  async loadBuffer(name: string, text: string): Promise<void> {
    const commands = [["load-buffer", "-b", name, "-"]];
    this.expectOk(await this.#exec(commands, text), ...commands);
  }

  /** Like run, but reports failure instead of throwing; throws only when tmux cannot be run at all. */
  tryRun(...commands: readonly (readonly string[])[]): Promise<TmuxResult> {
    return this.#exec(commands, "");
  }

  /** The output of a successful result; throws `tmux_command_failed` quoting tmux for a failed one. */
  expectOk(result: TmuxResult, ...commands: readonly (readonly string[])[]): string {
    if (result.ok) return result.stdout;
    const names = commands.map((command) => command[0]).join(", ");
    throw new DevflowError(`tmux (${names}) on ${this.socketPath} failed: ${firstLine(result.stderr)}`, {
      code: "tmux_command_failed",
      details: { socketPath: this.socketPath, commands: names, stderr: result.stderr.slice(0, 2000) },
    });
  }

  /**
   * A client that connects while the server shuts down (its last session just ended) is told "server
   * exited unexpectedly": nothing was done, and trying again starts a new server.
   */
  async #exec(commands: readonly (readonly string[])[], input: string): Promise<TmuxResult> {
    for (let attempt = 1; ; attempt++) {
      const result = await this.#execOnce(commands, input);
      if (result.ok || attempt === 5 || !SERVER_GONE.test(result.stderr)) return result;
      await sleep(20 * attempt);
    }
  }

  #execOnce(commands: readonly (readonly string[])[], input: string): Promise<TmuxResult> {
    // tmux reads an argument ending in ";" as the end of a command: escape it, then join with ";".
    const args = commands.flatMap((command, index) => [
      ...(index === 0 ? [] : [";"]),
      ...command.map((arg) => (arg.endsWith(";") ? `${arg.slice(0, -1)}\\;` : arg)),
    ]);
    return new Promise((resolve, reject) => {
      const child = execFile(
        "tmux",
        ["-S", this.socketPath, "-f", "/dev/null", ...args],
        { env: tmuxClientEnvironment(), encoding: "utf8", maxBuffer: 64 * 1024 * 1024, timeout: 30_000 },
        (error, stdout, stderr) => {
          const code = (error as NodeJS.ErrnoException | null)?.code;
          if (code === "ENOENT") {
            reject(
              new DevflowError("tmux is not installed on this host (no `tmux` on PATH).", {
                code: "tmux_unavailable",
                cause: error,
              }),
            );
            return;
          }
          resolve({ ok: error === null, stdout, stderr: stderr || (error?.message ?? "") });
        },
      );
      child.stdin?.on("error", () => {}); // tmux may exit before reading all of it; the result says why
      child.stdin?.end(input);
    });
  }

  /** Whether a failed result means "that server, session or pane is not there". */
  static isMissing(result: TmuxResult): boolean {
    return !result.ok && MISSING.test(result.stderr);
  }
}

/**
 * The environment tmux itself runs with — and so the tmux server's global environment when this call
 * starts it: PATH and a UTF-8 locale, nothing of the worker's (its secrets stay out of the server).
 */
function tmuxClientEnvironment(): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin", LANG: "C.UTF-8" };
}

/** Text for an argument tmux expands as a format (`-c`, pipe-pane's command): every `#` doubled. */
export function formatLiteral(text: string): string {
  return text.replaceAll("#", "##");
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0] ?? "";
}
