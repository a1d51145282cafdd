// The bench's side of its worker process: forks worker-process.ts (with tsx's loader and --expose-gc, so
// memory figures are taken after a full collection) and talks to it over IPC.
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { onAbort } from "./abort-cleanup.js";
import type { ChildMessage, MemoryFigures, Request, WorkerCounts, WorkerInit } from "./worker-protocol.js";

const entry = fileURLToPath(new URL("./worker-process.ts", import.meta.url));

export class WorkerHost {
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private readonly floorDone = new Map<number, (at: number) => void>();

  private constructor(private readonly child: ChildProcess) {
    child.on("message", (message: ChildMessage) => this.receive(message));
    const forget = onAbort(async () => {
      child.kill("SIGKILL");
    });
    child.on("error", () => {}); // a send after the child died; request() rejects instead
    child.on("exit", (code, signal) => {
      forget();
      const error = new Error(`the bench's worker process exited (code ${code}, signal ${signal})`);
      for (const waiter of this.pending.values()) waiter.reject(error);
      this.pending.clear();
    });
  }

  static async start(init: WorkerInit): Promise<WorkerHost> {
    const child = fork(entry, [], {
      execArgv: [...process.execArgv, "--expose-gc"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    const host = new WorkerHost(child);
    await host.request({ type: "init", init });
    return host;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  memory(): Promise<MemoryFigures> {
    return this.request({ type: "memory" }) as Promise<MemoryFigures>;
  }

  counts(): Promise<WorkerCounts> {
    return this.request({ type: "counts" }) as Promise<WorkerCounts>;
  }

  /** Announces a floor round; `done` resolves (with the worker's clock) when its last job has run. */
  async floorRound(round: number, chains: number): Promise<{ done: Promise<number> }> {
    const done = new Promise<number>((resolve) => this.floorDone.set(round, resolve));
    await this.request({ type: "floor-round", round, chains });
    return { done };
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    await this.request({ type: "stop" }).catch(() => {});
    await exited;
  }

  private request(request: Request): Promise<unknown> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (!this.child.connected) {
        reject(new Error("the bench's worker process is gone"));
        return;
      }
      this.pending.set(id, { resolve, reject });
      this.child.send({ id, request }, (error) => {
        if (!error) return;
        this.pending.delete(id);
        reject(error);
      });
    });
  }

  private receive(message: ChildMessage): void {
    if (message.type === "floor-done") {
      this.floorDone.get(message.round)?.(message.at);
      return;
    }
    const waiter = this.pending.get(message.id);
    if (!waiter) return;
    this.pending.delete(message.id);
    if (message.ok) waiter.resolve(message.value);
    else waiter.reject(new Error(`worker process: ${message.error}`));
  }
}
