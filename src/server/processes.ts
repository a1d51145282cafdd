/** True when a process with this pid exists (signal 0 probes without touching it). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Sends `signal`, waits up to `timeoutMs` for the process to go; true when it is gone. */
export async function stopProcess(
  pid: number,
  options: { signal: NodeJS.Signals; timeoutMs: number },
): Promise<boolean> {
  try {
    process.kill(pid, options.signal);
  } catch {
    return !isProcessAlive(pid);
  }
  const deadline = Date.now() + options.timeoutMs;
  while (Date.now() < deadline) {
    if (!isProcessAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return !isProcessAlive(pid);
}
