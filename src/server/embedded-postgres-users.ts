// Who uses a data directory's embedded Postgres: the process that started it (`owner.pid`) and the
// devflow processes that connected to it since (`clients/<pid>`, e.g. `devflow approve` while
// `devflow run` waits at a gate). The last one to leave stops Postgres; an owner that leaves first
// hands the duty to a client still running. Files rather than a server: every user is a local process.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { isProcessAlive } from "./processes.js";

export class EmbeddedPostgresUsers {
  constructor(private readonly root: string) {}

  private get ownerFile(): string {
    return join(this.root, "owner.pid");
  }

  private get clientsDir(): string {
    return join(this.root, "clients");
  }

  /** The owner's pid when that process is alive (never this process's own). */
  liveOwner(): number | undefined {
    const pid = existsSync(this.ownerFile) ? Number(readFileSync(this.ownerFile, "utf8").trim()) : 0;
    return pid > 0 && pid !== process.pid && isProcessAlive(pid) ? pid : undefined;
  }

  isOwner(): boolean {
    return existsSync(this.ownerFile) && Number(readFileSync(this.ownerFile, "utf8").trim()) === process.pid;
  }

  becomeOwner(pid: number = process.pid): void {
    writeFileSync(this.ownerFile, String(pid));
  }

  /** Live clients other than this process; files of dead ones are removed on the way. */
  liveClients(): number[] {
    if (!existsSync(this.clientsDir)) return [];
    const live: number[] = [];
    for (const name of readdirSync(this.clientsDir)) {
      const pid = Number(name);
      if (pid === process.pid) continue;
      if (Number.isInteger(pid) && pid > 0 && isProcessAlive(pid)) live.push(pid);
      else rmSync(join(this.clientsDir, name), { force: true });
    }
    return live;
  }

  join(): void {
    mkdirSync(this.clientsDir, { recursive: true });
    writeFileSync(join(this.clientsDir, String(process.pid)), "");
  }

  /**
   * Leaves; true when this process must stop Postgres (nobody else uses it). Otherwise, if this process
   * was the owner (or the owner is gone), a live client becomes the owner.
   */
  leave(): boolean {
    rmSync(join(this.clientsDir, String(process.pid)), { force: true });
    if (this.liveOwner() !== undefined) return false;
    const [heir] = this.liveClients();
    if (heir === undefined) return true;
    this.becomeOwner(heir);
    return false;
  }
}
