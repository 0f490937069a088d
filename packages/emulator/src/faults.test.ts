import { describe, expect, it } from "vitest";
import { createRng, FAULT_KINDS, type FaultConfig, Faults, normalizeFaults } from "./faults.js";

const run = (faults: Faults, n: number, now = 0) =>
  Array.from({ length: n }, () => faults.decide(now).kind);

describe("createRng", () => {
  it("is determined by its seed", () => {
    const a = createRng(42);
    const b = createRng(42);
    const c = createRng(43);
    const xs = Array.from({ length: 5 }, a);
    expect(Array.from({ length: 5 }, b)).toEqual(xs);
    expect(Array.from({ length: 5 }, c)).not.toEqual(xs);
    for (const x of xs) expect(x >= 0 && x < 1).toBe(true);
  });
});

describe("Faults", () => {
  it("injects nothing by default", () => {
    expect(run(new Faults(undefined, 1), 100).every((k) => k === null)).toBe(true);
  });

  it("replays the same sequence for the same seed", () => {
    const config: FaultConfig = {
      serverError: 0.2,
      maintenance: 0.1,
      tooManyRequests: 0.1,
      reset: 0.05,
    };
    const first = run(new Faults(config, 7), 500);
    const second = run(new Faults(config, 7), 500);
    expect(second).toEqual(first);
    expect(run(new Faults(config, 8), 500)).not.toEqual(first);
    expect(new Set(first)).toEqual(
      new Set([null, "serverError", "maintenance", "tooManyRequests", "reset"]),
    );
  });

  it("replays from a seed given in the settings", () => {
    const faults = new Faults({ serverError: 0.5 }, 1);
    faults.set({ serverError: 0.5, seed: 99 });
    const a = run(faults, 50);
    faults.set({ serverError: 0.5, seed: 99 });
    expect(run(faults, 50)).toEqual(a);
    expect(faults.current().seed).toBe(99);
  });

  it("comes back to the start on reset", () => {
    const faults = new Faults({ badGateway: 0.3 }, 5);
    const a = run(faults, 40);
    faults.set({});
    faults.reset({ badGateway: 0.3 }, 5);
    expect(run(faults, 40)).toEqual(a);
  });

  it("honours each rate roughly", () => {
    for (const kind of FAULT_KINDS) {
      const kinds = run(new Faults({ [kind]: 0.25 }, 3), 4000);
      const hits = kinds.filter((k) => k === kind).length;
      expect(hits, kind).toBeGreaterThan(800);
      expect(hits, kind).toBeLessThan(1200);
    }
    expect(run(new Faults({ serverError: 1 }, 3), 100).every((k) => k === "serverError")).toBe(
      true,
    );
  });

  it("fails the next N requests, in order, before the rates", () => {
    const faults = new Faults({ failNext: [{ kind: "reset", count: 2 }, { kind: "hang" }] }, 1);
    faults.failNext("tooManyRequests", 2);
    expect(faults.current().failNext).toEqual([
      { kind: "reset", count: 2 },
      { kind: "hang", count: 1 },
      { kind: "tooManyRequests", count: 2 },
    ]);
    expect(run(faults, 6)).toEqual([
      "reset",
      "reset",
      "hang",
      "tooManyRequests",
      "tooManyRequests",
      null,
    ]);
    expect(faults.current().failNext).toBeUndefined();
  });

  it("gives a 429 its Retry-After", () => {
    const faults = new Faults({ failNext: { kind: "tooManyRequests" }, retryAfterSeconds: 7 }, 1);
    expect(faults.decide(0)).toEqual({
      kind: "tooManyRequests",
      latencyMs: 0,
      retryAfterSeconds: 7,
    });
  });

  it("answers 503 during the maintenance window only", () => {
    const faults = new Faults({ maintenanceWindow: { start: 1000, end: 5000 } }, 1);
    expect(faults.decide(999).kind).toBeNull();
    expect(faults.decide(1000)).toEqual({
      kind: "maintenance",
      latencyMs: 0,
      retryAfterSeconds: 4,
    });
    expect(faults.decide(4999).retryAfterSeconds).toBe(1);
    expect(faults.decide(5000).kind).toBeNull();
  });

  it("takes dates and ISO strings for the window", () => {
    const faults = new Faults(
      { maintenanceWindow: { start: new Date(0), end: "1970-01-01T00:00:10Z" } },
      1,
    );
    expect(faults.decide(5000).kind).toBe("maintenance");
    expect(faults.current().maintenanceWindow).toEqual({ start: 0, end: 10_000 });
  });

  it("adds fixed or ranged latency, the range replaying with the seed", () => {
    expect(new Faults({ latencyMs: 25 }, 1).decide(0).latencyMs).toBe(25);
    const a = new Faults({ latencyMs: { min: 5, max: 50 } }, 11);
    const b = new Faults({ latencyMs: { min: 5, max: 50 } }, 11);
    const la = Array.from({ length: 50 }, () => a.decide(0).latencyMs);
    expect(Array.from({ length: 50 }, () => b.decide(0).latencyMs)).toEqual(la);
    for (const ms of la) expect(ms >= 5 && ms <= 50).toBe(true);
    expect(new Set(la).size).toBeGreaterThan(5);
  });

  it("reports the settings in force", () => {
    const faults = new Faults({ serverError: 0.1, hang: 0, latencyMs: { min: 1, max: 3 } }, 4);
    expect(faults.current()).toEqual({
      serverError: 0.1,
      latencyMs: { min: 1, max: 3 },
      retryAfterSeconds: 1,
      seed: 4,
    });
  });

  it.each([
    [{ serverError: 2 }, /between 0 and 1/],
    [{ serverError: -0.1 }, /between 0 and 1/],
    [{ serverError: "0.5" }, /between 0 and 1/],
    [{ serverError: 0.6, maintenance: 0.6 }, /more than 1/],
    [{ latencyMs: -1 }, /latencyMs/],
    [{ latencyMs: { min: 5, max: 1 } }, /latencyMs/],
    [{ retryAfterSeconds: 1.5 }, /retryAfterSeconds/],
    [{ maintenanceWindow: { start: "not a date", end: 0 } }, /maintenanceWindow.start/],
    [{ maintenanceWindow: { start: 10, end: 0 } }, /before its start/],
    [{ failNext: { kind: "explode" } }, /failNext.kind/],
    [{ failNext: { kind: "reset", count: -1 } }, /failNext.count/],
    [{ seed: 1.5 }, /seed/],
    [{ serverErrors: 0.1 }, /not a fault setting/],
  ])("refuses %j", (config, message) => {
    expect(() => normalizeFaults(config as FaultConfig)).toThrow(message);
  });

  it("refuses settings that are not an object", () => {
    expect(() => normalizeFaults([] as FaultConfig)).toThrow(/object/);
    expect(() => normalizeFaults(null as unknown as FaultConfig)).toThrow(/object/);
  });
});
