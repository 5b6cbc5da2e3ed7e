// Training progress on stderr: a live bar (patches/s, ETA, running loss) when
// stderr is a terminal, otherwise a plain line every tenth of the epoch so
// that logs stay readable.
export interface ProgressSink {
  write(s: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export class EpochProgress {
  private readonly t0 = performance.now();
  private lastDraw = 0;
  private nextLine: number;
  private readonly every: number;

  constructor(
    private readonly sink: ProgressSink,
    private readonly epoch: number,
    private readonly epochs: number,
    private readonly totalSteps: number,
    private readonly live: boolean,
  ) {
    this.every = Math.max(1, Math.ceil(totalSteps / 10));
    this.nextLine = this.every;
  }

  update(step: number, patches: number, runningLoss: number): void {
    const now = performance.now();
    const elapsed = (now - this.t0) / 1000;
    const rate = patches / Math.max(elapsed, 1e-6);
    const eta = step > 0 ? (elapsed / step) * (this.totalSteps - step) : 0;
    const stats = `${step}/${this.totalSteps}  ${rate.toFixed(1)} patches/s  ETA ${formatDuration(eta)}  loss ${runningLoss.toFixed(4)}`;
    if (this.live) {
      // redraw at most ~10 times a second, and always at the end
      if (now - this.lastDraw < 100 && step < this.totalSteps) return;
      this.lastDraw = now;
      const width = Math.max(10, Math.min(30, (this.sink.columns ?? 80) - stats.length - 20));
      const filled = Math.round((width * step) / this.totalSteps);
      this.sink.write(`\r\x1b[2Kepoch ${this.epoch}/${this.epochs} [${'='.repeat(filled)}${' '.repeat(width - filled)}] ${stats}`);
    } else if (step >= this.nextLine || step === this.totalSteps) {
      this.nextLine = step + this.every;
      this.sink.write(`epoch ${this.epoch}/${this.epochs} step ${stats}\n`);
    }
  }

  /** Clears the live bar so the epoch's table row replaces it. */
  done(): void {
    if (this.live) this.sink.write('\r\x1b[2K');
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
