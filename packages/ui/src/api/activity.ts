/**
 * When somebody last used the page (a key, a click, a touch, a scroll), so that the requests
 * it makes on its own while nobody does (polling) say so: the server does not let those keep
 * a signed-in session alive, and a tab left open still reaches the idle expiry.
 */
const QUIET_MS = 60_000;
let lastInput = Date.now();

if (typeof window !== "undefined") {
  const seen = (): void => {
    lastInput = Date.now();
  };
  for (const type of ["pointerdown", "keydown", "wheel", "touchstart"]) {
    window.addEventListener(type, seen, { capture: true, passive: true });
  }
}

/** `X-Lignee-Background: 1` when nobody has used the page for a minute. */
export function backgroundHeaders(now: number = Date.now()): Record<string, string> {
  return now - lastInput > QUIET_MS ? { "X-Lignee-Background": "1" } : {};
}
