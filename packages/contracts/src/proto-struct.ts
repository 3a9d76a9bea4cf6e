// google.protobuf.Struct and Timestamp as @grpc/proto-loader decodes and encodes them, to
// and from plain JSON values and ISO instants: the gRPC services (gateway, agents) share it. Pure.

export type ProtoValue = {
  nullValue?: string | number;
  numberValue?: number;
  stringValue?: string;
  boolValue?: boolean;
  structValue?: ProtoStruct;
  listValue?: { values?: ProtoValue[] };
  kind?: string;
};
export type ProtoStruct = { fields?: Record<string, ProtoValue> };

type Json = null | number | string | boolean | Json[] | { [k: string]: Json };

function toValue(value: unknown): ProtoValue {
  if (value === null || value === undefined) return { nullValue: "NULL_VALUE" };
  if (typeof value === "number") return { numberValue: value };
  if (typeof value === "string") return { stringValue: value };
  if (typeof value === "boolean") return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(toValue) } };
  if (typeof value === "object") return { structValue: toStruct(value as Record<string, unknown>) };
  return { stringValue: String(value) };
}

export function toStruct(object: Record<string, unknown>): ProtoStruct {
  return { fields: Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined).map(([k, v]) => [k, toValue(v)])) };
}

function fromValue(value: ProtoValue | undefined): Json {
  if (!value) return null;
  // With `oneofs: true` the set field is named in `kind`; without, it is the one present.
  const kind = value.kind ?? Object.keys(value).find((k) => value[k as keyof ProtoValue] !== undefined && value[k as keyof ProtoValue] !== null);
  switch (kind) {
    case "numberValue":
      return value.numberValue ?? 0;
    case "stringValue":
      return value.stringValue ?? "";
    case "boolValue":
      return value.boolValue ?? false;
    case "structValue":
      return fromStruct(value.structValue);
    case "listValue":
      return (value.listValue?.values ?? []).map(fromValue);
    default:
      return null;
  }
}

export function fromStruct(struct: ProtoStruct | null | undefined): { [k: string]: Json } {
  return Object.fromEntries(Object.entries(struct?.fields ?? {}).map(([k, v]) => [k, fromValue(v)]));
}

export type ProtoTimestamp = { seconds: string; nanos: number };

export function toTimestamp(iso: string): ProtoTimestamp {
  const ms = Date.parse(iso);
  const seconds = Math.floor(ms / 1000);
  return { seconds: String(seconds), nanos: (ms - seconds * 1000) * 1_000_000 };
}
