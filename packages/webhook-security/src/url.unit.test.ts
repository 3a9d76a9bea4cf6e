import { describe, expect, it } from "vitest";
import { WebhookPortsConfig } from "./ports.ts";
import { webhookUrlSyntaxVerdict, webhookUrlVerdict } from "./url.ts";

const checked = { allowPrivate: false };
const local = { allowPrivate: true };
const reasonOf = (raw: string, options = checked) => {
  const verdict = webhookUrlVerdict(raw, options);
  return verdict.allowed ? undefined : verdict.reason;
};

describe("webhookUrlVerdict: what is refused whatever the configuration", () => {
  it.each([
    ["a newline inside the host", "https://exa\nmple.com/hook", "U+000A at position 11"],
    ["a tab inside the path", "https://example.com/ho\tok", "U+0009"],
    ["a carriage return at the end", "https://example.com/hook\r", "U+000D"],
    ["a leading space", " https://example.com/hook", "U+0020 at position 0"],
    ["a trailing space", "https://example.com/hook ", "U+0020"],
    ["a NUL", "https://example.com/\u0000", "U+0000"],
    ["a C1 control", "https://example.com/\u0085", "U+0085"],
    ["DEL", "https://example.com/\u007f", "U+007F"],
    ["a no-break space", "https://example.com/\u00a0", "U+00A0"],
    ["an ideographic space", "https://example.com/\u3000x", "U+3000"],
    ["a zero-width space in the host", "https://exam\u200bple.com/", "U+200B"],
    ["a byte order mark", "\ufeffhttps://example.com/", "U+FEFF"],
  ])("refuses %s, naming the character", (_name, raw, found) => {
    for (const options of [checked, local]) {
      expect(reasonOf(raw, options)).toContain("must not contain whitespace or control characters");
      expect(reasonOf(raw, options)).toContain(found);
    }
  });

  it.each([
    ["user and password", "https://user:pass@example.com/hook"],
    ["a user", "https://user@example.com/hook"],
    ["an empty user", "https://@example.com/hook"],
    ["an empty password", "https://:@example.com/hook"],
    ["a user before a backslash", "https://user@example.com\\@other.example/hook"],
    ["a percent-encoded user", "https://%75ser@example.com/"],
  ])("refuses userinfo (%s), even for local testing", (_name, raw) => {
    for (const options of [checked, local]) expect(reasonOf(raw, options)).toBe("must not contain a user name or password (user:password@host)");
  });

  it.each(["ftp://example.com/hook", "javascript:alert(1)", "file:///etc/passwd", "http:example.com/hook", "https:/example.com", "//example.com/hook", "example.com"])(
    "refuses %s: not an http(s) URL",
    (raw) => {
      for (const options of [checked, local]) expect(reasonOf(raw, options)).toBe("must be an http or https URL");
    },
  );

  it("refuses what the URL parser cannot parse", () => {
    expect(reasonOf("https://exa mple.com")).toContain("whitespace");
    expect(reasonOf("https://[::1/hook", local)).toBe("not a valid URL");
    expect(reasonOf("http://1.2.3.4.5/", local)).toBe("not a valid URL");
  });

  it.each(["https://example.com./hook", "http://localhost./hook", "https://EXAMPLE.COM./", "https://example.com%2E/hook"])("refuses %s: a host ending in a dot", (raw) => {
    for (const options of [checked, local]) expect(reasonOf(raw, options)).toMatch(/^host .+\. must not end with a dot$/);
  });
});

describe("webhookUrlVerdict: what is refused unless WEBHOOK_ALLOW_PRIVATE", () => {
  it.each([
    ["http://localhost/hook", "loopback name"],
    ["https://LOCALHOST/hook", "loopback name"],
    ["https://app.localhost/hook", "loopback name"],
    ["https://%6c%6fcalhost/hook", "loopback name"],
    ["http://metadata.google.internal/computeMetadata/v1/", "cloud metadata name"],
    ["http://metadata/computeMetadata/v1/", "single-label name"],
    ["http://instance-data/latest/meta-data/", "single-label name"],
    ["http://instance-data.ec2.internal/latest/", "cloud metadata name"],
    ["http://metadata.azure.com/metadata/instance", "cloud metadata name"],
    ["http://metadata.goog/", "cloud metadata name"],
    ["http://metadata.tencentyun.com/latest/meta-data/", "cloud metadata name"],
    ["https://metadata.platformequinix.com/metadata", "cloud metadata name"],
    ["https://printer.local/hook", "mDNS .local"],
    ["https://postgres.chorus.svc.cluster.local/", "mDNS .local"],
    ["https://nats.chorus.svc/", "cluster-internal (.svc)"],
    ["https://billing.internal/hook", "internal (.internal)"],
    ["https://router.home.arpa/", "home network"],
    ["https://ip6-localhost/hook", "single-label name"],
    ["https://postgres/hook", "single-label name"],
  ])("refuses %s (%s), naming WEBHOOK_ALLOW_PRIVATE", (raw, kind) => {
    const reason = reasonOf(raw);
    expect(reason).toContain(kind);
    expect(reason).toContain("WEBHOOK_ALLOW_PRIVATE");
    expect(webhookUrlVerdict(raw, local)).toMatchObject({ allowed: true });
  });

  it.each([
    ["http://127.0.0.1/hook", "127.0.0.1 (loopback address)"],
    ["http://0x7f.1/hook", "127.0.0.1 (loopback address)"],
    ["http://2130706433/hook", "127.0.0.1 (loopback address)"],
    ["http://127.0.0.1./hook", "127.0.0.1 (loopback address)"],
    ["http://169.254.169.254/latest/meta-data/", "169.254.169.254 (link-local or cloud metadata address)"],
    ["http://[::1]/hook", "::1 (loopback address)"],
    ["http://[::ffff:127.0.0.1]/hook", "::ffff:7f00:1 (loopback address)"],
    ["http://[::ffff:0:127.0.0.1]/hook", "::ffff:0:7f00:1 (IPv4-translated (SIIT) address)"],
    ["http://[64:ff9b:1::a00:1]/hook", "64:ff9b:1::a00:1 (local-use NAT64 address)"],
    ["http://[2002:a00:1::1]/hook", "2002:a00:1::1 (6to4 tunnel (deprecated) address)"],
    ["http://[2001::1]/hook", "2001::1 (Teredo tunnel address)"],
    ["http://[fec0::1]/hook", "fec0::1 (site-local (private) address)"],
    ["http://[2001:db8::1]/hook", "2001:db8::1 (documentation address)"],
    ["http://192.0.2.1/hook", "192.0.2.1 (documentation address)"],
  ])("refuses the IP literal in %s, naming it: the client gave it", (raw, named) => {
    const reason = reasonOf(raw);
    expect(reason).toContain(`webhooks may not reach ${named}`);
    expect(reason).toContain("WEBHOOK_ALLOW_PRIVATE");
    expect(webhookUrlVerdict(raw, local)).toMatchObject({ allowed: true, literal: true });
  });

  it.each([
    ["https://example.com:8443/hook", 8443],
    ["http://example.com:8080/hook", 8080],
    ["https://example.com:22/", 22],
    ["http://example.com:0/", 0],
  ])("refuses %s: a port other than 80 and 443 by default", (raw, port) => {
    expect(reasonOf(raw)).toBe(`port ${port} is not allowed for webhooks (allowed: 80, 443; WEBHOOK_ALLOWED_PORTS lists them, or set WEBHOOK_ALLOW_PRIVATE=true for local testing)`);
    expect(webhookUrlVerdict(raw, local)).toMatchObject({ allowed: true });
  });

  it("allows the ports the configuration allows, and only those", () => {
    const options = { allowPrivate: false, allowedPorts: [443, 8443] };
    expect(webhookUrlVerdict("https://example.com:8443/hook", options)).toEqual({ allowed: true, href: "https://example.com:8443/hook", host: "example.com", literal: false });
    expect(reasonOf("http://example.com/hook", options)).toContain("port 80 is not allowed for webhooks (allowed: 443, 8443;");
    expect(reasonOf("https://example.com:8080/hook", options)).toContain("port 8080");
  });

  it("allows loopback on any port for local testing, as the tests' receivers need", () => {
    expect(webhookUrlVerdict("http://127.0.0.1:54321/hook", local)).toEqual({ allowed: true, href: "http://127.0.0.1:54321/hook", host: "127.0.0.1", literal: true });
    expect(webhookUrlVerdict("http://[::1]:54321/hook", local)).toEqual({ allowed: true, href: "http://[::1]:54321/hook", host: "::1", literal: true });
    expect(webhookUrlVerdict("http://localhost:3000/hook", local)).toMatchObject({ allowed: true, host: "localhost", literal: false });
  });
});

describe("webhookUrlVerdict: what is accepted", () => {
  it.each([
    ["https://example.com/hook", "https://example.com/hook"],
    ["http://example.com/hook?x=1#y", "http://example.com/hook?x=1#y"],
    ["https://example.com:443/hook", "https://example.com/hook"],
    ["http://example.com:80/", "http://example.com/"],
    ["https://hooks.example.co.uk/a/b", "https://hooks.example.co.uk/a/b"],
    ["http://93.184.216.34/hook", "http://93.184.216.34/hook"],
    ["https://[2606:4700:4700::1111]/hook", "https://[2606:4700:4700::1111]/hook"],
    ["https://bücher.example/hook", "https://xn--bcher-kva.example/hook"],
    // An upper-case scheme and host are normalised, not refused.
    ["HTTPS://Example.COM/Hook", "https://example.com/Hook"],
    ["Http://EXAMPLE.com:80/x", "http://example.com/x"],
  ])("accepts %s as %s", (raw, href) => {
    expect(webhookUrlVerdict(raw, checked)).toMatchObject({ allowed: true, href });
  });

  it("answers the same syntax verdict as the full check when private addresses are allowed", () => {
    for (const raw of ["HTTPS://Example.COM/x", "http://127.0.0.1:9/x", "https://u@example.com/", "https://example.com./"]) {
      expect(webhookUrlSyntaxVerdict(raw)).toEqual(webhookUrlVerdict(raw, local));
    }
  });
});

describe("WebhookPortsConfig", () => {
  it("defaults to 80 and 443", () => {
    expect(WebhookPortsConfig.parse(undefined)).toEqual([80, 443]);
  });

  it("reads a comma-separated list, spaces allowed", () => {
    expect(WebhookPortsConfig.parse("443, 8443,")).toEqual([443, 8443]);
  });

  it.each(["", "http", "443,x", "70000", "0", "44.3"])("refuses %j", (value) => {
    expect(WebhookPortsConfig.safeParse(value).success).toBe(false);
  });
});
