import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { ApiError } from './api-error.ts';
import { apiError } from './error-catalog.ts';

/** What Node's HTTP parser refuses, as a catalogued error (the app never sees these requests). */
function answerFor(error: NodeJS.ErrnoException): ApiError {
  switch (error.code) {
    case 'HPE_HEADER_OVERFLOW':
      return apiError('headers_too_large');
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return apiError(
        'payload_too_large',
        'The chunk extensions are larger than the server accepts',
      );
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return apiError('request_timeout');
    default: {
      const reason = (error as { reason?: unknown }).reason;
      return apiError(
        'bad_request',
        `The request is not valid HTTP/1.1${typeof reason === 'string' ? ` (${reason})` : ''}`,
      );
    }
  }
}

/** The listeners `answerClientErrorsAsJson` needs; an http.Server has them. */
interface ClientErrorSource {
  on(event: 'clientError', listener: (error: Error, socket: Duplex) => void): unknown;
}

/**
 * Requests Node's HTTP parser refuses never reach the app, and Node answers them with an empty
 * body: a client that reads every error as `{"error":{"code","message"}}` gets nothing to read.
 * This answers them in the one error shape, then closes the connection (the parser cannot go
 * on after an error).
 */
export function answerClientErrorsAsJson(server: ClientErrorSource): void {
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    // Nothing to answer on a connection the client has closed, or one whose response has begun
    // (Node's own handler makes the same check).
    const started = (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage;
    if (error.code === 'ECONNRESET' || !socket.writable || started?.headersSent) {
      socket.destroy();
      return;
    }
    const answer = answerFor(error);
    const { status } = answer;
    const body = JSON.stringify(answer.toBody());
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        'Connection: close\r\n\r\n' +
        body,
    );
  });
}
