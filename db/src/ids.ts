import { randomUUID } from 'node:crypto';

/** Opaque, non-sequential identifier for rows people can see (users, sessions, token rows). */
export function newId(): string {
  return randomUUID();
}
