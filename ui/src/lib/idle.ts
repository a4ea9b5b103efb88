// Watches real keyboard and mouse activity for auto-lock. Pure timing logic is
// in `IdleClock` so it can be unit-tested; `watchActivity` wires it to the DOM.

/** Tracks the last activity and decides when the idle limit is reached. */
export class IdleClock {
  private last: number;
  private lastReported = -Infinity;

  constructor(
    private readonly limitMs: number,
    private readonly reportEveryMs: number,
    now: number,
  ) {
    this.last = now;
  }

  /** Record activity at `now`; returns true when the shell should be told. */
  activity(now: number): boolean {
    this.last = now;
    if (now - this.lastReported >= this.reportEveryMs) {
      this.lastReported = now;
      return true;
    }
    return false;
  }

  /** Whether the idle limit has passed at `now`. */
  expired(now: number): boolean {
    return now - this.last >= this.limitMs;
  }
}

const EVENTS = ['keydown', 'mousedown', 'mousemove', 'wheel', 'touchstart'] as const;

/**
 * Call `onIdle` once after `minutes` without keyboard or mouse activity, and
 * `onReport` at most every 20 s while there is activity. Returns a stop function.
 */
export function watchActivity(minutes: number, onIdle: () => void, onReport: () => void): () => void {
  const clock = new IdleClock(minutes * 60_000, 20_000, Date.now());
  const onEvent = () => {
    if (clock.activity(Date.now())) onReport();
  };
  for (const name of EVENTS) window.addEventListener(name, onEvent, { passive: true });
  const timer = window.setInterval(() => {
    if (clock.expired(Date.now())) {
      stop();
      onIdle();
    }
  }, 1000);
  function stop() {
    window.clearInterval(timer);
    for (const name of EVENTS) window.removeEventListener(name, onEvent);
  }
  return stop;
}
