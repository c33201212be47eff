export { CliToolFailedError, CliToolMissingError } from './cli-tool.ts';
export {
  ESPEAK_SAMPLE_RATE,
  EspeakChunkedStream,
  EspeakTTS,
  type EspeakTTSOptions,
} from './espeak-tts.ts';
export {
  POCKETSPHINX_SAMPLE_RATE,
  PocketsphinxSTT,
  type PocketsphinxSTTOptions,
} from './pocketsphinx-stt.ts';
