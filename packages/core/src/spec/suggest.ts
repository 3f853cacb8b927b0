import { didYouMean } from '../util/did-you-mean.js';

/**
 * ` (did you mean 'x'?)` or the empty string: `didYouMean`, plus one swapped pair of neighbouring
 * letters (`fecth` -> `fetch`), the commonest typo, which plain edit distance counts as two edits.
 * @example suggest('fecth', ['fetch', 'ship']) // " (did you mean 'fetch'?)"
 */
export function suggest(word: string, candidates: Iterable<string>): string {
  const list = [...candidates];
  const plain = didYouMean(word, list);
  if (plain) return plain;
  const swapped = list.find((candidate) => isOneSwap(word.toLowerCase(), candidate.toLowerCase()));
  return swapped === undefined ? '' : ` (did you mean '${swapped}'?)`;
}

function isOneSwap(a: string, b: string): boolean {
  if (a.length !== b.length || a === b) return false;
  let i = 0;
  while (a[i] === b[i]) i++;
  return a[i] === b[i + 1] && a[i + 1] === b[i] && a.slice(i + 2) === b.slice(i + 2);
}
