// Text that every store downstream accepts. Postgres refuses U+0000 in text and jsonb, and
// an unpaired UTF-16 surrogate has no UTF-8 form. The API refuses such input at the edge,
// where the client can be told; what comes from elsewhere (a model's answer, a provider's
// error text) is made storable instead, one UTF-16 unit for one, so offsets into the text
// stay where they were. Pure.

/** True when `text` can be stored as it is. */
export function isStorableText(text: string): boolean {
  return !text.includes("\u0000") && text.isWellFormed();
}

/** What keeps a text from being stored: the first NUL (its UTF-16 index), else the first unpaired surrogate (its code point index). */
export type UnstorableText = { kind: "nul"; index: number } | { kind: "lone_surrogate"; codePoint: number };

/** Why `text` cannot be stored as it is, or undefined when it can. */
export function unstorableTextIn(text: string): UnstorableText | undefined {
  if (isStorableText(text)) return undefined;
  const index = text.indexOf("\u0000");
  if (index !== -1) return { kind: "nul", index };
  const codePoint = [...text].findIndex((ch) => ch.length === 1 && ch.charCodeAt(0) >= 0xd800 && ch.charCodeAt(0) <= 0xdfff);
  return { kind: "lone_surrogate", codePoint };
}

/** `text` with each NUL and each unpaired surrogate replaced by U+FFFD (the replacement character). */
export function toStorableText(text: string): string {
  return isStorableText(text) ? text : text.toWellFormed().replaceAll("\u0000", "\ufffd");
}

/** A JSON-like value with every string in it (keys too) made storable; the same value when nothing needed to change. */
export function withStorableText<T>(value: T): T {
  if (typeof value === "string") return toStorableText(value) as T;
  if (Array.isArray(value)) {
    const items = value.map((item: unknown) => withStorableText(item));
    return (items.some((item, i) => item !== value[i]) ? items : value) as T;
  }
  if (value !== null && typeof value === "object") {
    let changed = false;
    const entries = Object.entries(value).map(([k, v]) => {
      const [key, inner] = [toStorableText(k), withStorableText(v)];
      if (key !== k || inner !== v) changed = true;
      return [key, inner] as const;
    });
    return (changed ? Object.fromEntries(entries) : value) as T;
  }
  return value;
}
