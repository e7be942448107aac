import { describe, expect, it } from "vitest";
import { redactSecrets, redactUrl, urlSecrets } from "./redact";

describe("redaction", () => {
  it("shows a URL as its host only", () => {
    expect(redactUrl("https://hooks.slack.com/services/T0/B0/xyz")).toBe("hooks.slack.com/…");
    expect(redactUrl("smtp://user:pw@mail.example.org:587")).toBe("mail.example.org:587/…");
  });

  it("scrubs a channel's secrets and any URL from an error", () => {
    const url = "https://hooks.example.org/hook/T0KEN123?key=abc123";
    const error = `HTTP 500: failed /hook/T0KEN123?key=abc123 (see https://u:p@other.example/x?y)`;
    expect(redactSecrets(error, urlSecrets(url))).toBe(
      "HTTP 500: failed … (see https://other.example/…",
    );
    expect(redactSecrets("bad signature with s3cret-value", ["s3cret-value"])).toBe(
      "bad signature with …",
    );
  });
});
