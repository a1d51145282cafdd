// When the inbox processor and the effects worker step back for the webhook endpoint: only while
// acknowledgements come faster than the burst rate — a steady stream below it, however long, never
// holds processing back (the inbox would fall behind for good) — and no longer than the burst lasts.
import { describe, expect, it } from "vitest";
import { createAcknowledgementLoad } from "../../src/github/intake/acknowledgement-load.js";

function clocked() {
  let at = 1_000_000;
  const load = createAcknowledgementLoad({
    burstPerSecond: 100,
    windowMs: 100,
    maxHoldMs: 2_000,
    yieldMs: 200,
    now: () => at,
  });
  return { load, advance: (ms: number) => (at += ms), now: () => at };
}

describe("acknowledgement load", () => {
  it("is a burst while acknowledgements come faster than 100 a second, and not once they stop", () => {
    const { load, advance } = clocked();
    expect(load.bursting()).toBe(false);
    for (let i = 0; i < 30; i++) {
      load.acknowledged();
      advance(2); // 500 a second
    }
    expect(load.bursting()).toBe(true);
    advance(100);
    expect(load.bursting()).toBe(true); // the last window still counts, in part
    advance(150);
    expect(load.bursting()).toBe(false);
  });

  it("never calls a steady stream below the rate a burst, however long it lasts", () => {
    const { load, advance } = clocked();
    for (let i = 0; i < 5000; i++) {
      load.acknowledged();
      advance(12); // about 83 a second
      expect(load.bursting()).toBe(false);
    }
  });

  it("holds all new work back for the first two seconds of a burst, then lets one start per 200 ms", () => {
    const { load, advance, now } = clocked();
    const tick = (ms: number) => {
      for (let i = 0; i < ms; i++) {
        load.acknowledged(); // 1,000 a second
        advance(1);
      }
    };
    const burstBegan = now();
    tick(50);
    // Processing asks every 20 ms and starts work whenever the wait is 0: none starts in the hold.
    let lastStartedAt = 0;
    const started: number[] = [];
    for (let step = 0; step < 200; step++) {
      if (load.waitBeforeStarting(lastStartedAt) === 0) {
        lastStartedAt = now();
        started.push(now());
      }
      tick(20);
    }
    // 4 s of burst: nothing in its first 2 s, then one start per 200 ms (the check runs every 20 ms).
    expect(started.length).toBeGreaterThanOrEqual(9);
    expect(started.length).toBeLessThanOrEqual(11);
    expect(started[0]).toBeGreaterThanOrEqual(burstBegan + 2_000);
    for (const [i, time] of started.slice(1).entries())
      expect(time - (started[i] ?? 0)).toBeGreaterThanOrEqual(200);

    // The burst ends: work starts at once again, and a new burst holds it back again.
    advance(300);
    expect(load.waitBeforeStarting(now())).toBe(0);
    tick(50);
    expect(load.waitBeforeStarting(0)).toBeGreaterThan(0);
  });

  it("never holds work back under a steady stream below the burst rate", () => {
    const { load, advance } = clocked();
    for (let i = 0; i < 5000; i++) {
      load.acknowledged();
      advance(12);
      expect(load.waitBeforeStarting(0)).toBe(0);
    }
  });
});
