import { describe, expect, it } from 'vitest';
import { lineOfText, linesOfText, toStorableText } from './text.ts';

describe('text the agent API accepts', () => {
  const line = lineOfText(10);
  const lines = linesOfText(20);

  it('takes one trimmed, visible line, and several lines for a spoken turn', () => {
    expect(line.parse('  units ')).toBe('units');
    // The zero-width joiner holds emoji sequences together: a family is one visible character.
    expect(line.parse('👨\u200d👩\u200d👧')).toBe('👨\u200d👩\u200d👧');
    expect(lines.parse('one\ntwo\tthree')).toBe('one\ntwo\tthree');
  });

  it('refuses blank text, control and bidi characters, and unpaired surrogates', () => {
    for (const bad of [
      '   ',
      'a\u0007b',
      'a\nb',
      'a\u202Eb',
      'a\u2066b',
      'a\ud800b',
      'x'.repeat(11),
      '\u200b\u200b',
      'a\u2028b',
      'k\ufeffey',
      '\u200d',
    ]) {
      expect(line.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
    for (const bad of ['a\u0000b', 'a\u009Bb', 'a\u200Fb', '\udc00']) {
      expect(lines.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });

  it('cleans what a recogniser or a model produced into what it accepts', () => {
    const cleaned = toStorableText('a\u0007b\u202Ec\nd\ud800');
    expect(cleaned).toBe('abc\nd\ufffd');
    expect(lines.safeParse(cleaned).success).toBe(true);
  });
});
