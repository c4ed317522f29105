/**
 * The exchanges running in the whole gateway, whatever inbound took them:
 * what a shutdown waits for before it closes the endpoints. Two integer
 * operations per exchange; waiting costs only while someone waits.
 */
export class InFlight {
  private n = 0;
  private waiters: (() => void)[] = [];

  get count(): number {
    return this.n;
  }

  enter(): void {
    this.n++;
  }

  leave(): void {
    if (--this.n === 0 && this.waiters.length) {
      const w = this.waiters;
      this.waiters = [];
      for (const wake of w) wake();
    }
  }

  /** Resolves true once nothing is in flight, or false when the deadline (epoch ms) comes first. */
  idle(deadline: number): Promise<boolean> {
    if (this.n === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(
        () => {
          this.waiters = this.waiters.filter((w) => w !== wake);
          resolve(false);
        },
        Math.max(0, deadline - Date.now()),
      );
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.waiters.push(wake);
    });
  }
}
