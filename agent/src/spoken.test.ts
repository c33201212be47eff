import { describe, expect, it } from 'vitest';
import { clip, spokenDate, spokenDuration } from './spoken.ts';

describe('spoken formatting', () => {
  it('says durations the way people do', () => {
    expect(spokenDuration(400)).toBe('less than a second');
    expect(spokenDuration(1_000)).toBe('1 second');
    expect(spokenDuration(252_000)).toBe('4 minutes and 12 seconds');
    expect(spokenDuration(120_000)).toBe('2 minutes');
    expect(spokenDuration(3_780_000)).toBe('1 hour and 3 minutes');
    expect(spokenDuration(7_200_000)).toBe('2 hours');
  });

  it('says dates in UTC', () => {
    expect(spokenDate(Date.UTC(2026, 2, 3, 23, 59))).toBe('3 March 2026');
  });

  it('clips long text at a word boundary', () => {
    expect(clip('short', 10)).toBe('short');
    expect(clip('the quick brown fox jumps over', 18)).toBe('the quick brown…');
    expect(clip('  spread\n over   lines ', 40)).toBe('spread over lines');
  });
});
