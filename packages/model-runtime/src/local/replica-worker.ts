// A TinyVLM replica on its own tfjs backend in a worker thread (tfjs-wasm is single-threaded, so
// this is how training and generation use every core). `GradientWorkerPool` asks it for
// gradients of a shard of a batch; `LocalModelPool` for generations.
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type { GenerateOptionsV1, GenerateResultV1 } from '../spec/language-model-v1.js';
import { type BackendName, selectBackend } from './backend.js';
import { endTurnOnFullContext } from './context-guard.js';
import {
  type LossNormalizers,
  TinyVLM,
  type TinyVLMConfig,
  type TrainingSequence,
} from './tiny-vlm.js';
import { BpeTokenizer } from './tokenizer.js';

export type ReplicaRequest =
  | {
      type: 'init';
      config: TinyVLMConfig;
      tokenizer: unknown;
      modelId?: string;
      backend?: BackendName;
    }
  | { type: 'weights'; id: number; weights: Record<string, Float32Array> }
  | {
      type: 'gradients';
      id: number;
      /** Every weight by name, set before computing. */
      weights: Record<string, Float32Array>;
      sequences: TrainingSequence[];
      auxiliaryWeight: number;
      normalizers: LossNormalizers;
    }
  | { type: 'generate'; id: number; options: Omit<GenerateOptionsV1, 'abortSignal'> };

export type ReplicaResponse =
  | { type: 'ready'; backend: string }
  | { type: 'done'; id: number }
  | { type: 'gradients'; id: number; loss: number; gradients: Record<string, Float32Array> }
  | { type: 'generated'; id: number; result: GenerateResultV1 }
  | { type: 'error'; id?: number; message: string };

const port = parentPort;
if (port === null) throw new Error('replica-worker must run in a worker thread');
let model: TinyVLM | undefined;

function setWeights(replica: TinyVLM, weights: Record<string, Float32Array>): void {
  for (const [name, variable] of replica.parameters) {
    const values = weights[name];
    if (values === undefined) throw new Error(`weights lack ${name}`);
    tf.tidy(() => variable.assign(tf.tensor(values, variable.shape)));
  }
}

async function gradients(
  replica: TinyVLM,
  request: Extract<ReplicaRequest, { type: 'gradients' }>,
): Promise<ReplicaResponse> {
  setWeights(replica, request.weights);
  const { value, grads } = tf.variableGrads(
    () =>
      replica.loss(request.sequences, {
        auxiliaryWeight: request.auxiliaryWeight,
        normalizers: request.normalizers,
      }),
    replica.trainableVariables(),
  );
  const byName: Record<string, Float32Array> = {};
  for (const [name, variable] of replica.parameters) {
    const gradient = grads[variable.name];
    if (gradient !== undefined) byName[name] = (await gradient.data()) as Float32Array;
  }
  const loss = (await value.data())[0]!;
  tf.dispose([value, ...Object.values(grads)]);
  return { type: 'gradients', id: request.id, loss, gradients: byName };
}

port.on('message', async (request: ReplicaRequest) => {
  try {
    if (request.type === 'init') {
      const backend = await selectBackend(request.backend ? { backend: request.backend } : {});
      model = new TinyVLM({
        tokenizer: BpeTokenizer.fromJSON(request.tokenizer),
        config: request.config,
        ...(request.modelId !== undefined && { modelId: request.modelId }),
      });
      port.postMessage({ type: 'ready', backend: backend.name } satisfies ReplicaResponse);
      return;
    }
    if (model === undefined) throw new Error('replica worker used before init');
    if (request.type === 'weights') {
      setWeights(model, request.weights);
      port.postMessage({ type: 'done', id: request.id } satisfies ReplicaResponse);
    } else if (request.type === 'gradients') {
      const response = await gradients(model, request);
      port.postMessage(
        response,
        response.type === 'gradients'
          ? Object.values(response.gradients).map((array) => array.buffer as ArrayBuffer)
          : [],
      );
    } else {
      const result = await endTurnOnFullContext(model).doGenerate(request.options);
      port.postMessage({ type: 'generated', id: request.id, result } satisfies ReplicaResponse);
    }
  } catch (error) {
    port.postMessage({
      type: 'error',
      ...('id' in request && { id: request.id }),
      message: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    } satisfies ReplicaResponse);
  }
});
