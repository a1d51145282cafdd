// How hard the webhook endpoint is working right now. The inbox processor and the effects worker share the
// web process (and the machine) with the endpoint, and answering GitHub comes first: while deliveries
// arrive in a burst they start new work only sparingly and catch up after. A steady trickle, even a busy
// one, never holds them back (that would let the inbox fall behind for good): only a rate of
// acknowledgements over `burstPerSecond` does. Measured over the last two windows of `windowMs`.
export interface AcknowledgementLoad {
  /** Counts one acknowledgement (answered or refused). */
  acknowledged(): void;
  /** True while acknowledgements come faster than the burst rate. */
  bursting(): boolean;
}

export function createAcknowledgementLoad(options?: {
  /** Acknowledgements per second above which it is a burst. Default 100. */
  burstPerSecond?: number;
  windowMs?: number;
  now?: () => number;
}): AcknowledgementLoad {
  const windowMs = options?.windowMs ?? 100;
  const limit = ((options?.burstPerSecond ?? 100) * windowMs) / 1000;
  const now = options?.now ?? Date.now;
  let window = Math.floor(now() / windowMs);
  let current = 0;
  let previous = 0;
  const roll = () => {
    const at = Math.floor(now() / windowMs);
    if (at === window) return;
    previous = at === window + 1 ? current : 0;
    current = 0;
    window = at;
  };
  return {
    acknowledged() {
      roll();
      current += 1;
    },
    bursting() {
      roll();
      // The window under way counts in proportion to how far into it we are.
      const into = (now() % windowMs) / windowMs;
      return current + previous * (1 - into) > limit;
    },
  };
}
