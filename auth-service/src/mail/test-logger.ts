import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createLogger } from '../logger.ts';

/** The service's real logger (with its redaction) writing into an array of JSON lines. */
export function capturingLogger(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { logger: createLogger('info', sink), lines };
}
