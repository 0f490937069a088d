import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { parseFaults } from "./emulator.js";
import {
  count,
  createPrinter,
  createRedactor,
  seconds,
  secretsFromEnv,
  useColor,
  Verbatim,
} from "./output.js";

describe("redaction", () => {
  it("replaces every key from the environment, raw or percent-encoded, longest first", () => {
    const secrets = secretsFromEnv({
      BATCH_API_KEY: "appkey_111111, appkey_111111_long",
      BATCH_REST_API_KEY: "rest/key 222222",
    });
    const redact = createRedactor(secrets);
    expect(redact("x appkey_111111_long y appkey_111111 z")).toBe("x *** y *** z");
    expect(redact(`/1.0/${encodeURIComponent("rest/key 222222")}/`)).toBe("/1.0/***/");
    expect(createRedactor([])("same")).toBe("same");
    // Too short to be a real key: redacting it would mangle the output.
    expect(secretsFromEnv({ BATCH_API_KEY: "1" })).toEqual([]);
    // Labelled apps: the key alone is a secret too, wherever it shows up.
    expect(secretsFromEnv({ BATCH_API_KEY: "ios=iosKey_123456,android=andKey_654321" })).toEqual(
      expect.arrayContaining(["iosKey_123456", "andKey_654321"]),
    );
  });

  it("the printer redacts both streams", async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    const io = { stdout, stderr, stdin: process.stdin, env: {} } as never;
    const print = createPrinter(io, createRedactor(["secret_123456"]));
    print.out("a secret_123456 b\n");
    print.err("c secret_123456 d\n");
    await print.flush();
    expect(stdout.read().toString()).toBe("a *** b\n");
    expect(stderr.read().toString()).toBe("c *** d\n");
  });

  it("prints the ids the user asked for as they are, even one holding a key", async () => {
    const stdout = new PassThrough();
    const io = { stdout, stderr: new PassThrough(), stdin: process.stdin, env: {} } as never;
    const print = createPrinter(io, createRedactor(["secret_123456"]));
    print.out("key secret_123456: ", new Verbatim('"user-secret_123456"'), " secret_123456\n");
    await print.flush();
    expect(stdout.read().toString()).toBe('key ***: "user-secret_123456" ***\n');
  });
});

describe("formatting", () => {
  it("colour only on a TTY without NO_COLOR", () => {
    expect(useColor({ isTTY: true } as never, {})).toBe(true);
    expect(useColor({ isTTY: true } as never, { NO_COLOR: "1" })).toBe(false);
    expect(useColor({ isTTY: false } as never, {})).toBe(false);
    expect(seconds(1234)).toBe("1.2 s");
    expect(seconds(65_432)).toBe("65 s");
    expect(count(1, "id")).toBe("1 id");
    expect(count(12_345, "id")).toBe("12,345 ids");
    expect(count(0, "entry", "entries")).toBe("0 entries");
  });
});

describe("emulator --faults", () => {
  it("shares the rate between the faults listed", () => {
    expect(parseFaults(undefined, undefined)).toEqual({});
    expect(parseFaults(0.3, undefined)).toEqual({
      serverError: expect.closeTo(0.1),
      maintenance: expect.closeTo(0.1),
      tooManyRequests: expect.closeTo(0.1),
    });
    expect(parseFaults(0.5, "reset, HANG")).toEqual({ reset: 0.25, hang: 0.25 });
    expect(() => parseFaults(undefined, "500")).toThrow(/needs --fault-rate/);
    expect(() => parseFaults(0.1, "teapot")).toThrow(/unknown fault "teapot"/);
  });
});
