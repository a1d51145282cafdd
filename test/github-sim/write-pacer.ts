// GitHub's pace for writes: about one content-creating request per second per installation (its
// secondary rate limits; Probot's client keeps that pace on its side with plugin-throttling). With
// `writeMs` > 0 the simulator answers an installation's writes (POST, PATCH, PUT, DELETE) no closer
// together than that — at 1000 GitHub's own pace, or a scaled one for benchmarks — by holding each
// request until its turn; other installations' writes and all reads are not held. 0 (the default) holds
// nothing.
export class WritePacer {
  writeMs = 0;
  /** The earliest time each installation's next write may be answered. */
  private readonly nextAt = new Map<number, number>();

  async turn(installationId: number): Promise<void> {
    if (this.writeMs <= 0) return;
    const now = Date.now();
    const at = Math.max(now, this.nextAt.get(installationId) ?? 0);
    this.nextAt.set(installationId, at + this.writeMs);
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  }
}
