// A Server-Sent Events parser for a fetch() body: EventSource cannot send the
// Authorization header an API key needs, so the console reads the stream itself. Pure:
// text in, messages out, following the WHATWG event-stream rules the console needs
// (id, event, data; comments; CRLF, LF or CR line ends; chunks split anywhere).

/** A parser that keeps what a chunk left unfinished; `push` answers the messages a chunk completed. */
export function sseParser() {
  let buffer = "";
  let data = [];
  let type = "";
  let id = undefined;
  let lastId = undefined;
  // A CR at a chunk's end may be the first half of a CRLF split across chunks.
  let pendingCr = false;

  function line(text, out) {
    if (text === "") {
      if (id !== undefined) lastId = id;
      if (data.length > 0) out.push({ id: lastId, event: type || "message", data: data.join("\n") });
      data = [];
      type = "";
      id = undefined;
      return;
    }
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") data.push(value);
    else if (field === "event") type = value;
    else if (field === "id" && !value.includes("\0")) id = value;
  }

  return {
    push(chunk) {
      const out = [];
      let text = chunk;
      if (pendingCr && text.startsWith("\n")) text = text.slice(1);
      pendingCr = false;
      buffer += text;
      const parts = buffer.split(/\r\n|\n|\r/);
      buffer = parts.pop() ?? "";
      if (buffer === "" && text.endsWith("\r")) pendingCr = true;
      for (const part of parts) line(part, out);
      return out;
    },
  };
}
