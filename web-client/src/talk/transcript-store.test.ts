import { describe, expect, it } from 'vitest';
import { type SegmentUpdate, TranscriptStore } from './transcript-store.ts';

const user = (
  segmentId: string,
  streamId: string,
  text: string,
  final: boolean,
): SegmentUpdate => ({
  participantIdentity: 'usr_1',
  speaker: 'user',
  segmentId,
  streamId,
  text,
  final,
});
const agent = (
  segmentId: string,
  streamId: string,
  text: string,
  final: boolean,
): SegmentUpdate => ({
  participantIdentity: 'agent-1',
  speaker: 'assistant',
  segmentId,
  streamId,
  text,
  final,
});

const texts = (store: TranscriptStore) =>
  store.lines.map((line) => `${line.speaker}:${line.text}${line.final ? '' : '…'}`);

describe('TranscriptStore', () => {
  it('replaces interim text with the final text of the same segment', () => {
    const store = new TranscriptStore();
    store.apply(user('SG_a', 'ST_1', 'what is', false));
    store.apply(user('SG_a', 'ST_2', 'what is the weather', false));
    expect(texts(store)).toEqual(['user:what is the weather…']);
    store.apply(user('SG_a', 'ST_3', 'What is the weather like?', true));
    expect(texts(store)).toEqual(['user:What is the weather like?']);
    expect(store.lines).toHaveLength(1);
  });

  it('keeps segments in the order they were first heard, even when a final arrives late', () => {
    const store = new TranscriptStore();
    store.apply(user('SG_u1', 'ST_1', 'hello', false));
    store.apply(agent('SG_a1', 'ST_2', 'Hi Ada', false));
    store.apply(user('SG_u1', 'ST_3', 'Hello there.', true));
    store.apply(agent('SG_a1', 'ST_2', 'Hi Ada, how can I help?', true));
    store.apply(user('SG_u2', 'ST_4', 'Tell me a joke.', true));
    expect(texts(store)).toEqual([
      'user:Hello there.',
      'assistant:Hi Ada, how can I help?',
      'user:Tell me a joke.',
    ]);
  });

  it('drops updates from an older stream once a newer stream of the segment took over', () => {
    const store = new TranscriptStore();
    store.apply(user('SG_a', 'ST_1', 'turn on', false));
    store.apply(user('SG_a', 'ST_2', 'turn on the lights', false));
    expect(store.apply(user('SG_a', 'ST_1', 'turn on th', false))).toBe(false);
    expect(texts(store)).toEqual(['user:turn on the lights…']);
  });

  it('never lets interim text replace a final line', () => {
    const store = new TranscriptStore();
    store.apply(user('SG_a', 'ST_2', 'Good morning.', true));
    expect(store.apply(user('SG_a', 'ST_9', 'good mor', false))).toBe(false);
    expect(texts(store)).toEqual(['user:Good morning.']);
  });

  it('keeps the same segment id of two participants apart', () => {
    const store = new TranscriptStore();
    store.apply(user('SG_same', 'ST_1', 'mine', true));
    store.apply(agent('SG_same', 'ST_2', 'theirs', true));
    expect(texts(store)).toEqual(['user:mine', 'assistant:theirs']);
  });

  it('shows no line for a segment without text, and places it where it began once text arrives', () => {
    const store = new TranscriptStore();
    store.apply(agent('SG_a', 'ST_1', '', false));
    store.apply(user('SG_u', 'ST_2', 'question', true));
    expect(texts(store)).toEqual(['user:question']);
    store.apply(agent('SG_a', 'ST_1', 'answer', true));
    expect(texts(store)).toEqual(['assistant:answer', 'user:question']);
  });

  it('returns the same array until something changes, and clears', () => {
    const store = new TranscriptStore();
    store.apply(user('SG_a', 'ST_1', 'hi', true));
    const before = store.lines;
    expect(store.apply(user('SG_a', 'ST_1', 'hi', true))).toBe(false);
    expect(store.lines).toBe(before);
    store.clear();
    expect(store.lines).toEqual([]);
  });
});
