import { type SQL, sql } from 'drizzle-orm';

/** Whole seconds from `startMs` to `endMs` (both SQL expressions in ms), rounded, never negative. */
export function durationSecondsSql(startMs: SQL | number, endMs: SQL | number): SQL<number> {
  return sql<number>`max(0, cast(round((${endMs} - ${startMs}) / 1000.0) as integer))`;
}

const LIKE_SPECIAL = /[\\%_]/g;

/** A `LIKE … ESCAPE '\'` pattern matching `text` anywhere, with `%`, `_` and `\` in it taken literally. */
export function likeContaining(text: string): string {
  return `%${text.replace(LIKE_SPECIAL, '\\$&')}%`;
}
