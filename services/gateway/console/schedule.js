// Reading again later, but not while nobody looks: a timer that, when it is due while the
// tab is hidden (document.hidden), waits until the tab is shown again. A console left in a
// background tab then reads nothing, and spends none of the key's rate limit.

/** Runs `run` after `ms`, or once the tab is next shown if it is hidden then; the returned function cancels it. */
export function laterWhenVisible(run, ms) {
  let cancelled = false;
  const onVisibility = () => {
    if (document.hidden || cancelled) return;
    document.removeEventListener("visibilitychange", onVisibility);
    run();
  };
  const timer = setTimeout(() => {
    if (cancelled) return;
    if (document.hidden) document.addEventListener("visibilitychange", onVisibility);
    else run();
  }, ms);
  return () => {
    cancelled = true;
    clearTimeout(timer);
    document.removeEventListener("visibilitychange", onVisibility);
  };
}
