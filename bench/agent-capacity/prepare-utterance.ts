/**
 * Child process of the capacity benchmark: writes the user's sentence as PCM (see
 * writeUtterancePcm) and prints `{"seconds": …}`. It is a process of its own because the espeak-ng
 * voice resamples through rtc-node's native library, whose handle keeps a process alive: the
 * driver, run inside bench/run.ts, must be able to finish.
 *
 * Arguments: text, sample rate, output path.
 */
import { writeUtterancePcm } from './utterance.ts';

const [text, sampleRate, outputPath] = process.argv.slice(2);
if (!text || !sampleRate || !outputPath)
  throw new Error('usage: <text> <sample rate> <output path>');
const seconds = await writeUtterancePcm(text, Number(sampleRate), outputPath);
process.stdout.write(`${JSON.stringify({ seconds })}\n`);
process.exit(0);
