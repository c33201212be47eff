import { z } from 'zod';

/**
 * Characters that reorder or hide text when it is displayed (bidi embeddings, overrides and
 * isolates, and the marks): a stored value containing them reads differently from what it is.
 */
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/u;

/**
 * Whether `text` holds a bidirectional control character. The one rule for every name, key and
 * value people or the agent store, on the public API as on the agent API.
 */
export function hasBidiControl(text: string): boolean {
  return BIDI_CONTROLS.test(text);
}

export const NO_BIDI_CONTROLS = 'must not contain bidirectional control characters';
/**
 * Characters that show nothing (zero-width spaces, joiners, the byte order mark) and the
 * Unicode line and paragraph separators; the zero-width joiner stays, emoji sequences need it.
 */
const INVISIBLE = /(?!\u200D)[\p{Cf}\p{Zl}\p{Zp}]/u;
/** At least one character a person can see. */
const VISIBLE = /[\p{L}\p{N}\p{S}\p{P}]/u;
/** C0 and C1 control characters other than tab and line breaks. */
const CONTROL_EXCEPT_LINE_BREAKS = /(?![\t\n\r])\p{Cc}/u;
const ANY_CONTROL = /\p{Cc}/u;

const wellFormed = (text: string) => text.isWellFormed();

/**
 * One line of text a person would read or hear, trimmed: something visible in it, and no control,
 * bidi, invisible or unpaired surrogate characters.
 */
export function lineOfText(maxLength: number) {
  return z
    .string()
    .trim()
    .min(1)
    .max(maxLength)
    .refine(wellFormed, 'must be valid Unicode (no unpaired surrogates)')
    .refine((text) => !ANY_CONTROL.test(text), 'must not contain control characters')
    .refine((text) => !hasBidiControl(text), NO_BIDI_CONTROLS)
    .refine((text) => !INVISIBLE.test(text), 'must not contain invisible characters')
    .refine((text) => VISIBLE.test(text), 'must contain a visible character');
}

/** Several lines of such text (a spoken turn): tabs and line breaks allowed, other controls not. */
export function linesOfText(maxLength: number) {
  return z
    .string()
    .min(1)
    .max(maxLength)
    .refine(wellFormed, 'must be valid Unicode (no unpaired surrogates)')
    .refine(
      (text) => !CONTROL_EXCEPT_LINE_BREAKS.test(text),
      'must not contain control characters other than tabs and line breaks',
    )
    .refine((text) => !hasBidiControl(text), NO_BIDI_CONTROLS);
}

/**
 * Text as a speech recogniser or a language model produced it, made acceptable to
 * `linesOfText`: unpaired surrogates become U+FFFD, and control and bidi characters are dropped.
 * The agent applies it before it stores a turn, so one odd character never costs the whole turn.
 */
export function toStorableText(text: string): string {
  return text
    .toWellFormed()
    .replace(new RegExp(CONTROL_EXCEPT_LINE_BREAKS.source, 'gu'), '')
    .replace(new RegExp(BIDI_CONTROLS.source, 'gu'), '');
}

/** Epoch milliseconds, as every time on this API is given. */
export const epochMs = z
  .number()
  .int()
  .min(0)
  .max(8_640_000_000_000_000)
  .describe('Unix epoch milliseconds');
