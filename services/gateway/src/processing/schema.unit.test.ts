import { describe, expect, it } from "vitest";
import { codePointLength } from "@chorus/contracts";
import { processRequestBody } from "./schema.ts";

const schema = processRequestBody(20);
const fieldsOf = (input: unknown) => {
  const r = schema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => i.path.join("."));
};

describe("codePointLength", () => {
  it("counts an emoji as one character, unlike String.length", () => {
    expect(codePointLength("😀")).toBe(1);
    expect("😀".length).toBe(2);
    expect(codePointLength("héllo👋🏽")).toBe(7); // the skin tone modifier is a code point of its own
  });
});

describe("the POST /process body", () => {
  it("refuses nine ASCII characters", () => {
    expect(fieldsOf({ text: "123456789" })).toEqual(["text"]);
  });

  it("accepts nine ASCII characters and an emoji: ten code points, eleven UTF-16 units", () => {
    expect(fieldsOf({ text: "123456789😀" })).toEqual([]);
  });

  it("refuses eight ASCII characters and an emoji although its UTF-16 length is ten", () => {
    expect("12345678😀".length).toBe(10);
    expect(fieldsOf({ text: "12345678😀" })).toEqual(["text"]);
  });

  it("accepts the maximum in emoji and refuses one more", () => {
    expect(fieldsOf({ text: "😀".repeat(20) })).toEqual([]);
    expect(fieldsOf({ text: "😀".repeat(21) })).toEqual(["text"]);
  });

  it("refuses a blank text and a text that is not a string", () => {
    expect(fieldsOf({ text: " ".repeat(12) })).toEqual(["text"]);
    expect(fieldsOf({ text: 1234567890 })).toEqual(["text"]);
    expect(fieldsOf({})).toEqual(["text"]);
  });

  it("applies the defaults and ignores unknown fields", () => {
    expect(schema.parse({ text: "0123456789", extra: 1 })).toEqual({
      text: "0123456789",
      orchestration_mode: "parallel",
      agents: ["summarizer", "sentiment", "entity_extractor"],
      webhook: null,
    });
  });

  it("keeps the agents in the order given", () => {
    expect(schema.parse({ text: "0123456789", agents: ["entity_extractor", "summarizer"] }).agents).toEqual(["entity_extractor", "summarizer"]);
  });

  it("refuses unknown agents, duplicates and an empty list", () => {
    expect(fieldsOf({ text: "0123456789", agents: ["poet"] })).toEqual(["agents.0"]);
    expect(fieldsOf({ text: "0123456789", agents: ["sentiment", "sentiment"] })).toEqual(["agents"]);
    expect(fieldsOf({ text: "0123456789", agents: [] })).toEqual(["agents"]);
  });

  it("refuses an unknown orchestration mode", () => {
    expect(fieldsOf({ text: "0123456789", orchestration_mode: "both" })).toEqual(["orchestration_mode"]);
  });

  it("requires a secret of at least 16 characters with a webhook_url, and an http(s) URL", () => {
    expect(fieldsOf({ text: "0123456789", webhook_url: "https://a.example/h" })).toEqual(["webhook_secret"]);
    expect(fieldsOf({ text: "0123456789", webhook_url: "https://a.example/h", webhook_secret: "15-characters.." })).toEqual(["webhook_secret"]);
    expect(fieldsOf({ text: "0123456789", webhook_url: "javascript:alert(1)", webhook_secret: "0123456789abcdef" })).toEqual(["webhook_url"]);
    expect(schema.parse({ text: "0123456789", webhook_url: "http://a.example/h", webhook_secret: "0123456789abcdef" }).webhook).toEqual({
      url: "http://a.example/h",
      secret: "0123456789abcdef",
    });
  });

  it("records a webhook_url as the URL parser spells it: an upper-case scheme or host is normalised, not refused", () => {
    const webhookOf = (webhook_url: string) => schema.parse({ text: "0123456789", webhook_url, webhook_secret: "0123456789abcdef" }).webhook?.url;
    expect(webhookOf("HTTPS://A.Example/Hook")).toBe("https://a.example/Hook");
    expect(webhookOf("Http://a.example:80")).toBe("http://a.example/");
  });

  it("refuses a webhook_url by its raw text, before a URL parser trims or drops characters", () => {
    const messageOf = (webhook_url: string) => {
      const r = schema.safeParse({ text: "0123456789", webhook_url, webhook_secret: "0123456789abcdef" });
      return r.success ? undefined : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    };
    expect(messageOf(" https://a.example/h")).toEqual(["webhook_url: must not contain whitespace or control characters (found U+0020 at position 0)"]);
    expect(messageOf("https://a.exa\tmple/h")).toEqual(["webhook_url: must not contain whitespace or control characters (found U+0009 at position 13)"]);
    expect(messageOf("https://u:p@a.example/h")).toEqual(["webhook_url: must not contain a user name or password (user:password@host)"]);
    expect(messageOf("https://a.example./h")).toEqual(["webhook_url: host a.example. must not end with a dot"]);
    expect(messageOf("https:a.example/h")).toEqual(["webhook_url: must be an http or https URL"]);
  });

  it("ignores a webhook_secret given without a webhook_url", () => {
    expect(schema.parse({ text: "0123456789", webhook_secret: "0123456789abcdef" }).webhook).toBeNull();
  });
});
