// A console timer waits while the tab is hidden and fires when it is shown again; a
// cancelled one never fires. The page's document is stood in for by an EventTarget.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { laterWhenVisible } from "./schedule.js";

class FakeDocument extends EventTarget {
  hidden = false;
  show(hidden: boolean) {
    this.hidden = hidden;
    this.dispatchEvent(new Event("visibilitychange"));
  }
}

let doc: FakeDocument;
beforeEach(() => {
  vi.useFakeTimers();
  doc = new FakeDocument();
  vi.stubGlobal("document", doc);
});
afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe("laterWhenVisible", () => {
  it("runs after its delay while the tab is shown", () => {
    const run = vi.fn();
    laterWhenVisible(run, 3_000);
    vi.advanceTimersByTime(2_999);
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(run).toHaveBeenCalledOnce();
  });

  it("waits while the tab is hidden, and runs once when it is shown again", () => {
    const run = vi.fn();
    laterWhenVisible(run, 3_000);
    doc.show(true);
    vi.advanceTimersByTime(60_000);
    expect(run).not.toHaveBeenCalled();
    doc.show(false);
    expect(run).toHaveBeenCalledOnce();
    doc.show(true);
    doc.show(false);
    expect(run).toHaveBeenCalledOnce();
  });

  it("never runs once cancelled, whether it was waiting for its delay or for the tab", () => {
    const early = vi.fn();
    laterWhenVisible(early, 3_000)();
    vi.advanceTimersByTime(10_000);
    expect(early).not.toHaveBeenCalled();

    const hidden = vi.fn();
    doc.show(true);
    const cancel = laterWhenVisible(hidden, 3_000);
    vi.advanceTimersByTime(5_000);
    cancel();
    doc.show(false);
    expect(hidden).not.toHaveBeenCalled();
  });
});
