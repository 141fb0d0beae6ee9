/** Seconds as `1h02m`, `3m05s` or `42s`. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const total = Math.max(0, Math.round(seconds));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const rest = total % 60;
  if (hours > 0) return `${hours}h${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m${String(rest).padStart(2, '0')}s`;
  return `${rest}s`;
}

export interface ProgressLinesOptions {
  total: number;
  write: (text: string) => void;
  /** A line at least this often while work is running (default 30 000 ms). */
  intervalMs?: number;
  now?: () => number;
}

/**
 * Plain progress lines for logs (nohup, slurm, CI), where a redrawn bar is unreadable: one line
 * when work starts, after an item when `intervalMs` has passed since the last line, from a timer
 * while a slow item runs, and at the end — `eval 40/200 (20.0%) | 1.25 items/s | eta 2m08s`.
 */
export class ProgressLines {
  private done = 0;
  private label = '';
  private readonly started: number;
  private lastLine: number;
  private readonly timer: ReturnType<typeof setInterval> | undefined;
  private readonly intervalMs: number;
  private readonly now: () => number;

  constructor(private readonly options: ProgressLinesOptions) {
    this.now = options.now ?? Date.now;
    this.intervalMs = options.intervalMs ?? 30_000;
    this.started = this.now();
    this.lastLine = this.started;
    this.print();
    if (this.intervalMs > 0) {
      this.timer = setInterval(() => this.print(), this.intervalMs);
      this.timer.unref?.();
    }
  }

  increment(label: string): void {
    this.done++;
    this.label = label;
    if (this.now() - this.lastLine >= this.intervalMs) this.print();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.print();
  }

  private print(): void {
    const now = this.now();
    this.lastLine = now;
    const { total } = this.options;
    const seconds = (now - this.started) / 1000;
    const rate = seconds > 0 ? this.done / seconds : 0;
    const percent = total === 0 ? 100 : (100 * this.done) / total;
    const eta = rate > 0 ? formatDuration((total - this.done) / rate) : '?';
    this.options.write(
      `eval ${this.done}/${total} (${percent.toFixed(1)}%) | ${rate.toFixed(2)} items/s | eta ${eta}` +
        `${this.label ? ` | ${this.label}` : ''}\n`,
    );
  }
}
