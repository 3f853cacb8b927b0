import { describe, expect, it } from 'vitest';
import { didYouMean, editDistance } from './did-you-mean.js';

describe('did you mean', () => {
  it('counts a swap of neighbouring letters as one edit', () => {
    expect(editDistance('fecth', 'fetch')).toBe(1);
    expect(editDistance('stroe', 'store')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });

  it('suggests close names only', () => {
    expect(didYouMean('fecth', ['fetch', 'ship'])).toBe(" (did you mean 'fetch'?)");
    expect(didYouMean('nedds', ['needs', 'when'])).toBe(" (did you mean 'needs'?)");
    expect(didYouMean('debgu', ['debug', 'info'])).toBe(" (did you mean 'debug'?)");
    expect(didYouMean('zzzzzz', ['fetch'])).toBe('');
    expect(didYouMean('b', ['a'])).toBe('');
    expect(didYouMean('fetch', ['fetch'])).toBe('');
  });
});
