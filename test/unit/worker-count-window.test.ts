import { describe, expect, it } from 'vitest';
import { WorkerCountWindow } from '../../src/temporal/worker-count';

describe('WorkerCountWindow', () => {
  it('keeps sharing among three workers when a restarted server briefly sees only this one', () => {
    const window = new WorkerCountWindow(90_000);
    expect(window.observe(3, 0)).toBe(3);
    // The server restarted: its matching service has not seen the others poll yet.
    expect(window.observe(1, 10_000)).toBe(3);
    expect(window.observe(2, 20_000)).toBe(3);
    expect(window.observe(3, 30_000)).toBe(3);
  });

  it('takes back the share of a worker that left once the window has passed', () => {
    const window = new WorkerCountWindow(90_000);
    expect(window.observe(3, 0)).toBe(3);
    expect(window.observe(2, 10_000)).toBe(3);
    expect(window.observe(2, 89_000)).toBe(3);
    expect(window.observe(2, 91_000)).toBe(2);
  });

  it('counts a worker that joins at once', () => {
    const window = new WorkerCountWindow(90_000);
    expect(window.observe(2, 0)).toBe(2);
    expect(window.observe(3, 10_000)).toBe(3);
  });
});
