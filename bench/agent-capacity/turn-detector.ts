import { createRequire } from 'node:module';
import { inference, type ipc } from '@livekit/agents';

/** The part of the framework's native binding the end-of-turn model needs. */
interface LocalInference {
  initEot(): void;
  predict(pcm: Int16Array): Promise<number>;
}

/**
 * The real `turn-detector-v1-mini`, runnable outside a LiveKit job. In a job the framework hands
 * the detector the worker's shared inference process; a plain process has none and the detector
 * would answer "end of turn" without running the model. This executor runs the same native model
 * in this process instead, so its CPU is counted with the conversation that asked for it.
 */
export async function createLocalTurnDetector(
  unlikelyThreshold: number | null,
): Promise<inference.TurnDetector> {
  // The binding is a dependency of @livekit/agents, not of this workspace: resolve it from there.
  const require = createRequire(import.meta.resolve('@livekit/agents'));
  const localInference = require('@livekit/local-inference') as LocalInference;
  localInference.initEot();
  // The inference process of a worker is warm before jobs arrive: pay the first run here.
  await localInference.predict(new Int16Array(16_000));
  const executor: ipc.InferenceExecutor = {
    async doInference(method, data) {
      if (method !== 'lk_eot_audio') throw new Error(`unsupported inference method ${method}`);
      const bytes = Buffer.from((data as { pcm: string }).pcm, 'base64');
      const started = performance.now();
      const probability = await localInference.predict(
        new Int16Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >> 1),
      );
      return { probability, inferenceDurationMs: performance.now() - started };
    },
  };
  return new inference.TurnDetector({
    version: 'v1-mini',
    executor,
    ...(unlikelyThreshold === null ? {} : { unlikelyThreshold }),
  });
}
