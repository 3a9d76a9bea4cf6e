// Which IP addresses a webhook may be sent to: not loopback, private, link-local,
// shared (CGNAT), cloud metadata, documentation, multicast or reserved ranges, in IPv4
// and IPv6 (IPv4-mapped and NAT64 forms by the IPv4 address they reach; translated,
// local-use NAT64, 6to4, Teredo and site-local refused outright). Pure: parsing and range checks only.

export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

const V4_BLOCKED: [number[], number, string][] = [
  [[0, 0, 0, 0], 8, "unspecified"],
  [[10, 0, 0, 0], 8, "private"],
  [[100, 64, 0, 0], 10, "shared (CGNAT)"],
  [[127, 0, 0, 0], 8, "loopback"],
  [[169, 254, 0, 0], 16, "link-local or cloud metadata"],
  [[172, 16, 0, 0], 12, "private"],
  [[192, 0, 0, 0], 24, "IETF protocol assignments"],
  [[192, 0, 2, 0], 24, "documentation"],
  [[192, 88, 99, 0], 24, "6to4 relay anycast (deprecated)"],
  [[192, 168, 0, 0], 16, "private"],
  [[198, 18, 0, 0], 15, "benchmarking"],
  [[198, 51, 100, 0], 24, "documentation"],
  [[203, 0, 113, 0], 24, "documentation"],
  [[224, 0, 0, 0], 4, "multicast"],
  [[240, 0, 0, 0], 4, "reserved"],
];

function parseV4(text: string): number[] | undefined {
  const parts = text.split(".");
  if (parts.length !== 4) return undefined;
  const bytes = parts.map((p) => (/^\d{1,3}$/.test(p) ? Number(p) : NaN));
  return bytes.every((b) => b >= 0 && b <= 255) ? bytes : undefined;
}

function inV4(bytes: number[], base: number[], bits: number): boolean {
  for (let i = 0; i < 4; i++) {
    const take = Math.max(0, Math.min(8, bits - i * 8));
    const mask = take === 0 ? 0 : (0xff << (8 - take)) & 0xff;
    if (((bytes[i] ?? 0) & mask) !== ((base[i] ?? 0) & mask)) return false;
  }
  return true;
}

function verdictV4(bytes: number[]): AddressVerdict {
  for (const [base, bits, reason] of V4_BLOCKED) if (inV4(bytes, base, bits)) return { allowed: false, reason };
  return { allowed: true };
}

/** Eight 16-bit groups, or undefined when `text` is not an IPv6 address. */
function parseV6(text: string): number[] | undefined {
  let s = text.replace(/^\[|\]$/g, "").replace(/%.*$/, "").toLowerCase();
  // A dotted IPv4 tail (::ffff:127.0.0.1) becomes its two hex groups.
  const dotted = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (dotted?.[1]) {
    const v4 = parseV4(dotted[1]);
    if (!v4) return undefined;
    const hex = (a = 0, b = 0) => ((a << 8) | b).toString(16);
    s = `${s.slice(0, -dotted[1].length)}${hex(v4[0], v4[1])}:${hex(v4[2], v4[3])}`;
  }
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const groups = (h: string | undefined) => (h ? h.split(":") : []);
  const head = groups(halves[0]);
  const rest = groups(halves[1]);
  const wanted = 8;
  const fill = halves.length === 2 ? wanted - head.length - rest.length : 0;
  if (fill < 0 || (halves.length === 1 && head.length !== wanted)) return undefined;
  const all = [...head, ...Array<string>(fill).fill("0"), ...rest];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  return all.map((g) => parseInt(g, 16));
}

function verdictV6(g: number[]): AddressVerdict {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embedded = [g6 >> 8, g6 & 0xff, g7 >> 8, g7 & 0xff];
  if (g.every((x) => x === 0)) return { allowed: false, reason: "unspecified" };
  if (g.slice(0, 7).every((x) => x === 0) && g7 === 1) return { allowed: false, reason: "loopback" };
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible) and 64:ff9b::a.b.c.d (NAT64) reach an IPv4 address.
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && (g5 === 0xffff || g5 === 0)) return verdictV4(embedded);
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return verdictV4(embedded);
  // Translators and tunnels whose other end a deployment cannot see: no webhook receiver needs
  // one, and each could carry the packet to an internal IPv4 address, so they are refused outright.
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0xffff && g5 === 0) return { allowed: false, reason: "IPv4-translated (SIIT)" };
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 1) return { allowed: false, reason: "local-use NAT64" };
  if ((g0 & 0xff00) === 0) return { allowed: false, reason: "reserved" };
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return { allowed: false, reason: "discard-only" };
  if (g0 === 0x2001 && g1 === 0) return { allowed: false, reason: "Teredo tunnel" };
  if (g0 === 0x2001 && g1 < 0x200) return { allowed: false, reason: "IETF protocol assignments" };
  if (g0 === 0x2001 && g1 === 0xdb8) return { allowed: false, reason: "documentation" };
  if (g0 === 0x3fff && g1 < 0x1000) return { allowed: false, reason: "documentation" };
  if (g0 === 0x2002) return { allowed: false, reason: "6to4 tunnel (deprecated)" };
  if ((g0 & 0xfe00) === 0xfc00) return { allowed: false, reason: "unique local (private)" };
  if ((g0 & 0xffc0) === 0xfe80) return { allowed: false, reason: "link-local" };
  if ((g0 & 0xffc0) === 0xfec0) return { allowed: false, reason: "site-local (private)" };
  if ((g0 & 0xff00) === 0xff00) return { allowed: false, reason: "multicast" };
  return { allowed: true };
}

/** Whether a webhook may be delivered to this IP address (v4 or v6 text). Unparseable is refused. */
export function webhookAddressVerdict(address: string): AddressVerdict {
  const v4 = parseV4(address);
  if (v4) return verdictV4(v4);
  const v6 = parseV6(address);
  if (v6) return verdictV6(v6);
  return { allowed: false, reason: "not an IP address" };
}
