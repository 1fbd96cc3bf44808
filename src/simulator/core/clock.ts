/**
 * Simulated time: real time sped up by `speed`, plus any manual advances.
 * Run progress and token expiry read this clock, so tests and demos can move
 * hours ahead in milliseconds.
 */
export class SimulatorClock {
  private anchorReal: number;
  private anchorSim: number;

  constructor(
    private speed = 1,
    startAt = Date.now(),
    private readonly realNow: () => number = Date.now,
  ) {
    this.anchorReal = realNow();
    this.anchorSim = startAt;
  }

  now(): number {
    return Math.round(this.anchorSim + (this.realNow() - this.anchorReal) * this.speed);
  }

  advance(ms: number): number {
    this.rebase();
    this.anchorSim += ms;
    return this.now();
  }

  setSpeed(speed: number): void {
    this.rebase();
    this.speed = speed;
  }

  get currentSpeed(): number {
    return this.speed;
  }

  private rebase(): void {
    this.anchorSim = this.now();
    this.anchorReal = this.realNow();
  }
}
