import { describe, expect, it } from "vitest";
import { Redactor, redactingStream, redactUrl } from "../../src/util/redact.js";
import { MemoryStream } from "../helpers/context.js";
import { fakeJwt } from "../helpers/fake-auth.js";

const secret = `refresh-${"a1B2c3D4".repeat(8)}-end`;

describe("Redactor", () => {
  it("masks a known secret and its URL-encoded form anywhere in a text", () => {
    const r = new Redactor();
    r.add("p@ss word/with+signs");
    r.add(secret);
    expect(r.redact(`a ${secret} b ${secret}`)).toBe("a *** b ***");
    expect(r.redact(`x=${encodeURIComponent("p@ss word/with+signs")};`)).toBe("x=***;");
    expect(r.redact("p@ss word/with+signs")).toBe("***");
  });

  it("masks what is left of a long secret in a text cut before it arrived", () => {
    const r = new Redactor([secret]);
    const message = `Invalid token ${secret} for stage`;
    expect(r.redact(message.slice(0, 40))).toBe("Invalid token ***");
    expect(r.redact(`(${message.slice(0, 40)})`)).toBe("(Invalid token ***)");
    expect(r.redact(`…${secret.slice(30)} for stage`)).toBe("…*** for stage");
    // Short pieces are not guessed at: 11 characters are left alone.
    expect(r.redact(secret.slice(0, 11))).toBe(secret.slice(0, 11));
  });

  it("masks anything shaped like a JWT, whole or cut, known or not", () => {
    const jwt = fakeJwt("access", Date.now());
    const r = new Redactor();
    expect(r.redact(`token ${jwt} end`)).toBe("token *** end");
    expect(r.redact(`token ${jwt.slice(0, 50)}`)).toBe("token ***");
    expect(r.redact(`id ${jwt.split(".")[0]}`)).toBe("id ***");
    expect(r.redact("eyJ and eyJhbG are too short to be anything")).toBe(
      "eyJ and eyJhbG are too short to be anything",
    );
  });

  it("each redactor knows only its own secrets (no shared state)", () => {
    const a = new Redactor(["secret-of-a-1234"]);
    const b = new Redactor();
    expect(a.redact("secret-of-a-1234")).toBe("***");
    expect(b.redact("secret-of-a-1234")).toBe("secret-of-a-1234");
    expect(b.redact("x secret-of-a-1234", ["secret-of-a-1234"])).toBe("x ***");
  });

  it("ignores secrets too short to find safely", () => {
    const r = new Redactor(["abc", "", undefined]);
    expect(r.redact("abc abcabc")).toBe("abc abcabc");
  });

  it("still masks token= query values", () => {
    expect(redactUrl("wss://h/latest/?token=abc&customer=1")).toBe(
      "wss://h/latest/?token=***&customer=1",
    );
    expect(new Redactor().redact("GET /?id_token=x1")).toBe("GET /?id_token=***");
  });
});

describe("redactingStream", () => {
  it("masks strings written through it and keeps the stream's other traits", async () => {
    const target = new MemoryStream({ isTTY: true, columns: 99 });
    const r = new Redactor([secret]);
    const stream = redactingStream(target, r);
    stream.write(`error: ${secret}\n`);
    stream.write(Buffer.from("bytes pass\n"));
    expect(stream.isTTY).toBe(true);
    expect(stream.columns).toBe(99);
    expect(target.text).toBe("error: ***\nbytes pass\n");
  });
});
