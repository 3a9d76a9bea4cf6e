import { describe, expect, it } from "vitest";
import { endpointOf, sendSlots } from "./send-slots.ts";

const settled = () => new Promise((r) => setImmediate(r));

describe("webhook send slots", () => {
  it("keep a busy endpoint to its own share, so another endpoint's send starts at once", async () => {
    const slots = sendSlots({ total: 4, perEndpoint: 2 });
    const slow = [await slots.acquire("https://slow.example"), await slots.acquire("https://slow.example")];
    let third = false;
    void slots.acquire("https://slow.example").then(() => (third = true));
    const fast = await slots.acquire("https://fast.example");
    await settled();
    expect(third).toBe(false);
    expect(slots.load()).toEqual({ running: 3, waiting: 1 });
    slow[0]!();
    await settled();
    expect(third).toBe(true);
    fast();
  });

  it("let waiting endpoints take turns when the whole budget is used", async () => {
    const slots = sendSlots({ total: 1, perEndpoint: 1 });
    const first = await slots.acquire("a");
    const order: string[] = [];
    for (const e of ["a", "a", "b", "c"]) void slots.acquire(e).then((release) => {
      order.push(e);
      release();
    });
    await settled();
    first();
    await settled();
    expect(order).toEqual(["a", "b", "c", "a"]);
  });

  it("give tenants turns of their own: one with many endpoints and deliveries waiting gets no more of the freed slots", async () => {
    const slots = sendSlots({ total: 1, perEndpoint: 1 });
    const first = await slots.acquire("x", "busy");
    const order: string[] = [];
    const waitFor = (endpoint: string, tenant: string) =>
      void slots.acquire(endpoint, tenant).then((release) => {
        order.push(`${tenant}:${endpoint}`);
        release();
      });
    for (const endpoint of ["a", "b", "c", "d"]) waitFor(endpoint, "busy");
    waitFor("q", "quiet");
    waitFor("r", "quiet");
    await settled();
    first();
    await settled();
    expect(order).toEqual(["busy:a", "quiet:q", "busy:b", "quiet:r", "busy:c", "busy:d"]);
  });

  it("release once, however often it is called", async () => {
    const slots = sendSlots({ total: 1, perEndpoint: 1 });
    const release = await slots.acquire("a");
    release();
    release();
    expect(slots.load()).toEqual({ running: 0, waiting: 0 });
    await slots.acquire("b");
    expect(slots.load().running).toBe(1);
  });

  it("name an endpoint by its origin", () => {
    expect(endpointOf("https://hooks.example.com/a/b?c=d")).toBe("https://hooks.example.com");
    expect(endpointOf("http://hooks.example.com:8080/x")).toBe("http://hooks.example.com:8080");
  });
});
