import {
  appendJsonLine,
  readJsonLines,
  writeFileAtomic,
} from '@pixel-reasoner/model-runtime/internal';

/** One line of the metrics JSONL. */
export interface SftStepMetrics {
  /** 1-based optimizer step. */
  step: number;
  /** Token-mean −log p over trained tokens. */
  loss: number;
  learningRate: number;
  /** Global gradient norm before clipping. */
  gradientNorm: number;
  sequences: number;
  /** Tokens in the batch (text and image tokens, before padding). */
  tokens: number;
  /** Tokens that carried loss. */
  trainableTokens: number;
  /** Wall time of the step, waiting for its batch included. */
  ms: number;
  /**
   * Time spent reading and encoding the step's batch; with gradient workers it overlaps the
   * previous step's computation.
   */
  dataMs: number;
  /** Sequences passed over while collecting the batch (longer than the model's context). */
  skippedSequences: number;
  /** Data cursor after the step. */
  cursor: number;
}

/** Reads a metrics JSONL, dropping a torn last line left by a killed run. */
export function readSftMetrics(file: string): Promise<SftStepMetrics[]> {
  return readJsonLines<SftStepMetrics>(file);
}

/** Appends step metrics; on resume it first drops lines past the checkpoint's step. */
export class MetricsLog {
  private constructor(private readonly file: string | undefined) {}

  static async open(file: string | undefined, resumedStep: number): Promise<MetricsLog> {
    if (file !== undefined) {
      const kept = (await readSftMetrics(file)).filter((row) => row.step <= resumedStep);
      await writeFileAtomic(file, kept.map((row) => `${JSON.stringify(row)}\n`).join(''));
    }
    return new MetricsLog(file);
  }

  async append(row: SftStepMetrics): Promise<void> {
    if (this.file !== undefined) await appendJsonLine(this.file, row);
  }
}
