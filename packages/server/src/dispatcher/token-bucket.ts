/**
 * A token bucket of `ratePerSecond` tokens with a burst of one second's worth. Time is passed in, so tests
 * and the dispatcher's injected clock drive it.
 */
export class TokenBucket {
  private tokens: number;
  private last: number;
  readonly ratePerSecond: number;

  constructor(ratePerSecond: number, now: number) {
    this.ratePerSecond = ratePerSecond;
    this.tokens = Math.max(1, ratePerSecond);
    this.last = now;
  }

  private refill(now: number): void {
    const capacity = Math.max(1, this.ratePerSecond);
    this.tokens = Math.min(capacity, this.tokens + ((now - this.last) / 1000) * this.ratePerSecond);
    this.last = Math.max(this.last, now);
  }

  /** Takes a token if one is there; otherwise returns how many ms until one is. */
  take(now: number): { ok: true } | { ok: false; waitMs: number } {
    this.refill(now);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, waitMs: Math.ceil(((1 - this.tokens) / this.ratePerSecond) * 1000) };
  }
}
