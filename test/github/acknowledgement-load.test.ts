// When the inbox processor and the effects worker step back for the webhook endpoint: only while
// acknowledgements come faster than the burst rate — a steady stream below it, however long, never
// holds processing back (the inbox would fall behind for good) — and no longer than the burst lasts.
import { describe, expect, it } from "vitest";
import { createAcknowledgementLoad } from "../../src/github/intake/acknowledgement-load.js";

function clocked() {
  let at = 1_000_000;
  const load = createAcknowledgementLoad({ burstPerSecond: 100, windowMs: 100, now: () => at });
  return { load, advance: (ms: number) => (at += ms) };
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
});
