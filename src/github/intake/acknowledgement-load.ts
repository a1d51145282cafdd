// How hard the webhook endpoint is working right now. The inbox processor and the effects worker share the
// web process (and the machine) with the endpoint, and answering GitHub comes first: while deliveries
// arrive in a burst they start no new work, and catch up after. A steady trickle, even a busy one, never
// holds them back, and a burst only for `maxHoldMs`: after that they start one piece of work per `yieldMs`
// (a burst that never ends must not leave the inbox behind for good). A burst is a rate of
// acknowledgements over `burstPerSecond`, measured over the last two windows of `windowMs`.
export interface AcknowledgementLoad {
  /** Counts one acknowledgement (answered or refused). */
  acknowledged(): void;
  /** True while acknowledgements come faster than the burst rate. */
  bursting(): boolean;
  /**
   * How long processing should wait before it starts its next piece of work (0: start now), given when
   * it last started one. Asked again after the wait.
   */
  waitBeforeStarting(lastStartedAt: number): number;
}

export interface AcknowledgementLoadOptions {
  /** Acknowledgements per second above which it is a burst. Default 100. */
  burstPerSecond?: number;
  windowMs?: number;
  /** How long a burst holds all new processing back. Default 2,000 ms. */
  maxHoldMs?: number;
  /** After that, one piece of work per `yieldMs` while the burst lasts. Default 200 ms. */
  yieldMs?: number;
  now?: () => number;
}

/** How often a held-back processor looks again. */
const RECHECK_MS = 20;

export function createAcknowledgementLoad(options?: AcknowledgementLoadOptions): AcknowledgementLoad {
  const windowMs = options?.windowMs ?? 100;
  const limit = ((options?.burstPerSecond ?? 100) * windowMs) / 1000;
  const maxHoldMs = options?.maxHoldMs ?? 2_000;
  const yieldMs = options?.yieldMs ?? 200;
  const now = options?.now ?? Date.now;
  let window = Math.floor(now() / windowMs);
  let current = 0;
  let previous = 0;
  let burstSince: number | undefined;
  const roll = () => {
    const at = Math.floor(now() / windowMs);
    if (at === window) return;
    previous = at === window + 1 ? current : 0;
    current = 0;
    window = at;
  };
  const bursting = () => {
    roll();
    // The window under way counts in proportion to how far into it we are.
    const into = (now() % windowMs) / windowMs;
    const on = current + previous * (1 - into) > limit;
    if (!on) burstSince = undefined;
    else burstSince ??= now();
    return on;
  };
  return {
    acknowledged() {
      roll();
      current += 1;
    },
    bursting,
    waitBeforeStarting(lastStartedAt) {
      if (!bursting()) return 0;
      const at = now();
      if (at - (burstSince ?? at) < maxHoldMs) return RECHECK_MS;
      return Math.min(RECHECK_MS, Math.max(0, lastStartedAt + yieldMs - at));
    },
  };
}
