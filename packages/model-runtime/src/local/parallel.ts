import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type {
  GenerateOptionsV1,
  GenerateResultV1,
  VisionLanguageModelV1,
} from '../spec/language-model-v1.js';
import type { BackendName } from './backend.js';
import { InvalidBatchError, InvalidModelConfigError, WorkerFailedError } from './errors.js';
import type { ReplicaRequest, ReplicaResponse } from './replica-worker.js';
import type { TinyVLM, TrainingSequence } from './tiny-vlm.js';

/** The compiled worker next to this module (dist), or the package's dist when run from source. */
function workerFile(): string {
  const beside = new URL('./replica-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return fileURLToPath(beside);
  return fileURLToPath(new URL('../../dist/local/replica-worker.js', import.meta.url));
}

/** `auto`: one worker per core the process may use. */
export function resolveWorkerCount(workers: number | 'auto'): number {
  if (workers === 'auto') return Math.max(1, availableParallelism());
  if (!(Number.isInteger(workers) && workers >= 0)) {
    throw new InvalidModelConfigError(
      `workers must be a non-negative integer or "auto", got ${workers}`,
    );
  }
  return workers;
}

/**
 * Splits sequences into `parts` groups of about equal token count (longest first, each to the
 * lightest group), keeping every group non-empty when there are enough sequences.
 */
export function shardByTokens<T extends { tokenIds: readonly number[] }>(
  sequences: readonly T[],
  parts: number,
): T[][] {
  const groups = Array.from({ length: Math.min(parts, sequences.length) }, () => ({
    load: 0,
    items: [] as T[],
  }));
  const order = sequences
    .map((sequence, index) => ({ sequence, index }))
    .sort((a, b) => b.sequence.tokenIds.length - a.sequence.tokenIds.length || a.index - b.index);
  for (const { sequence } of order) {
    const lightest = groups.reduce((best, group) => (group.load < best.load ? group : best));
    lightest.items.push(sequence);
    lightest.load += sequence.tokenIds.length;
  }
  return groups.map((group) => group.items);
}

/** Every weight of `model` by name, as plain arrays a worker can take. */
async function weightsOf(model: TinyVLM): Promise<Record<string, Float32Array>> {
  const weights: Record<string, Float32Array> = {};
  for (const [name, variable] of model.parameters) {
    weights[name] = (await variable.data()) as Float32Array;
  }
  return weights;
}

type Reply = Exclude<ReplicaResponse, { type: 'ready' } | { type: 'error' }>;
type Request = { id: number } & Extract<ReplicaRequest, { id: number }>;
type RequestBody<T extends Request['type']> = Omit<Extract<Request, { type: T }>, 'id'>;

/**
 * Worker threads each holding a replica of one model (same config and tokenizer) on its own
 * tfjs backend, with request/reply by id. A worker that dies fails every pending request.
 */
class ReplicaWorkers {
  private nextId = 0;
  private readonly pending = new Map<
    number,
    { resolve: (reply: Reply) => void; reject: (error: Error) => void; worker: number }
  >();
  private failure: Error | undefined;
  /** Requests in flight per worker. */
  readonly busy: number[];

  private constructor(readonly workers: Worker[]) {
    this.busy = workers.map(() => 0);
    workers.forEach((worker, index) => {
      worker.on('message', (response: ReplicaResponse) => {
        if (response.type === 'ready' || response.id === undefined) return;
        const waiting = this.pending.get(response.id);
        if (waiting === undefined) return;
        this.pending.delete(response.id);
        this.busy[index]! -= 1;
        if (response.type === 'error') waiting.reject(new WorkerFailedError(response.message));
        else waiting.resolve(response);
      });
      worker.on('error', (error) => this.fail(error));
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new WorkerFailedError(`replica worker exited with code ${code}`));
      });
    });
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.pending.values()) waiting.reject(error);
    this.pending.clear();
  }

  static async start(options: {
    model: TinyVLM;
    workers: number | 'auto';
    backend?: BackendName;
  }): Promise<ReplicaWorkers> {
    const count = resolveWorkerCount(options.workers);
    if (count < 1) throw new InvalidModelConfigError('a worker pool needs at least one worker');
    const file = workerFile();
    const workers = Array.from({ length: count }, () => new Worker(file));
    try {
      await Promise.all(
        workers.map(
          (worker) =>
            new Promise<void>((resolve, reject) => {
              const onMessage = (response: ReplicaResponse) => {
                worker.off('message', onMessage);
                if (response.type === 'ready') resolve();
                else reject(new WorkerFailedError(`worker start: ${JSON.stringify(response)}`));
              };
              worker.on('message', onMessage);
              worker.once('error', reject);
              worker.postMessage({
                type: 'init',
                config: options.model.config,
                tokenizer: options.model.tokenizer.toJSON(),
                modelId: options.model.modelId,
                ...(options.backend && { backend: options.backend }),
              } satisfies ReplicaRequest);
            }),
        ),
      );
    } catch (error) {
      await Promise.all(workers.map((worker) => worker.terminate()));
      throw error;
    }
    return new ReplicaWorkers(workers);
  }

  /** The least busy worker (lowest index on ties). */
  idlest(): number {
    let best = 0;
    this.busy.forEach((load, index) => {
      if (load < this.busy[best]!) best = index;
    });
    return best;
  }

  request<T extends Request['type']>(
    worker: number,
    body: RequestBody<T> & { type: T },
    transfer: ArrayBuffer[] = [],
  ): Promise<Reply> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { resolve, reject, worker });
      this.busy[worker]! += 1;
      this.workers[worker]!.postMessage({ ...body, id }, transfer);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((worker) => worker.terminate()));
  }
}

/**
 * Data-parallel gradients: `compute` sends every worker the current weights of `model` and a
 * shard of the batch; each returns the gradient of its share of the whole batch's loss
 * (normalised by the whole batch, see `TinyVLM.lossNormalizers`), and their sum is the gradient of
 * the whole batch — the same update as one thread, up to float summation order.
 */
export class GradientWorkerPool {
  private constructor(
    private readonly model: TinyVLM,
    private readonly replicas: ReplicaWorkers,
  ) {}

  /** Starts `workers` replicas of `model` (weights are sent with each step). */
  static async create(options: {
    model: TinyVLM;
    workers: number | 'auto';
    backend?: BackendName;
  }): Promise<GradientWorkerPool> {
    return new GradientWorkerPool(options.model, await ReplicaWorkers.start(options));
  }

  get size(): number {
    return this.replicas.workers.length;
  }

  /**
   * The loss of `batch` and its gradient by parameter name, as `tf.variableGrads` of
   * `model.loss(batch)` gives them (the caller disposes the gradients).
   */
  async compute(
    batch: readonly TrainingSequence[],
    options: { auxiliaryWeight?: number } = {},
  ): Promise<{ loss: number; gradients: Map<string, tf.Tensor> }> {
    if (batch.length === 0) throw new InvalidBatchError('compute needs at least one sequence');
    const normalizers = this.model.lossNormalizers(batch);
    const weights = await weightsOf(this.model);
    const shards = shardByTokens(batch, this.size);
    const replies = await Promise.all(
      shards.map((sequences, index) =>
        this.replicas.request(index, {
          type: 'gradients',
          weights,
          sequences: sequences.map(plainSequence),
          auxiliaryWeight: options.auxiliaryWeight ?? 1,
          normalizers,
        }),
      ),
    );
    let loss = 0;
    const sums = new Map<string, Float32Array>();
    for (const reply of replies) {
      if (reply.type !== 'gradients') throw new WorkerFailedError(`unexpected ${reply.type}`);
      loss += reply.loss;
      for (const [name, values] of Object.entries(reply.gradients)) {
        const sum = sums.get(name);
        if (sum === undefined) sums.set(name, values);
        else for (let index = 0; index < values.length; index += 1) sum[index]! += values[index]!;
      }
    }
    const gradients = new Map<string, tf.Tensor>();
    for (const [name, values] of sums) {
      gradients.set(name, tf.tensor(values, this.model.parameters.get(name)!.shape));
    }
    return { loss, gradients };
  }

  close(): Promise<void> {
    return this.replicas.close();
  }
}

/**
 * A local model whose generations run in worker threads, one replica per worker, each request on
 * the least busy one: several episodes at once use every core. Implements the model contract
 * (the full-context guard of `endTurnOnFullContext` included); `syncWeights` copies the source
 * model's current weights to every replica (after a training step). Abort signals are honoured
 * before a request is sent, not during it.
 */
export class LocalModelPool implements VisionLanguageModelV1 {
  readonly specificationVersion = 'v1';
  readonly provider = 'tiny-vlm';
  readonly supportsLogprobs = true;
  readonly modelId: string;

  private constructor(
    private readonly model: TinyVLM,
    private readonly replicas: ReplicaWorkers,
  ) {
    this.modelId = model.modelId;
  }

  /** Starts `workers` replicas of `model` holding its current weights. */
  static async create(options: {
    model: TinyVLM;
    workers: number | 'auto';
    backend?: BackendName;
  }): Promise<LocalModelPool> {
    const pool = new LocalModelPool(options.model, await ReplicaWorkers.start(options));
    await pool.syncWeights();
    return pool;
  }

  get size(): number {
    return this.replicas.workers.length;
  }

  async syncWeights(): Promise<void> {
    const weights = await weightsOf(this.model);
    await Promise.all(
      this.replicas.workers.map((_, index) =>
        this.replicas.request(index, { type: 'weights', weights }),
      ),
    );
  }

  async doGenerate(options: GenerateOptionsV1): Promise<GenerateResultV1> {
    // The episode's image cache holds functions and stays in this thread: a worker prepares the
    // images it is sent (turns of one episode may go to different workers).
    const { abortSignal, imageCache: _imageCache, ...rest } = options;
    if (abortSignal?.aborted) {
      return {
        text: '',
        finishReason: 'abort',
        usage: { inputTokens: 0, outputTokens: 0 },
        ...(options.logprobs ? { logprobs: [] } : {}),
      };
    }
    const reply = await this.replicas.request(this.replicas.idlest(), {
      type: 'generate',
      options: rest,
    });
    if (reply.type !== 'generated') throw new WorkerFailedError(`unexpected ${reply.type}`);
    return reply.result;
  }

  close(): Promise<void> {
    return this.replicas.close();
  }
}

/** The fields a worker needs, as plain data (no class instances cross the thread boundary). */
function plainSequence(sequence: TrainingSequence): TrainingSequence {
  return {
    tokenIds: [...sequence.tokenIds],
    images: sequence.images.map((image) => ({ ...image })),
    ...(sequence.lossMask !== undefined && { lossMask: [...sequence.lossMask] }),
    ...(sequence.imageTargets !== undefined && { imageTargets: { ...sequence.imageTargets } }),
  };
}
