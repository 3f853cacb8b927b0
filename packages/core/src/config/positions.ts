import { type Document, isMap, isScalar, isSeq, type LineCounter, type Node } from 'yaml';

export interface Position {
  line: number;
  column: number;
}

/**
 * Where a setting path is written in a YAML document: the value's node, or for a key that is
 * missing or unknown, the key itself; falls back to the nearest parent that exists.
 */
export function positionOf(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
  options: { atKey?: boolean } = {},
): Position {
  let node: unknown = doc.contents;
  let offset = offsetOf(node) ?? 0;
  for (const [index, segment] of path.entries()) {
    const last = index === path.length - 1;
    if (isMap(node)) {
      const pair = node.items.find(
        (item) => isScalar(item.key) && String(item.key.value) === String(segment),
      );
      if (!pair) break;
      if (last && options.atKey) {
        offset = offsetOf(pair.key) ?? offset;
        break;
      }
      node = pair.value;
      offset = offsetOf(node) ?? offsetOf(pair.key) ?? offset;
    } else if (isSeq(node) && typeof segment === 'number') {
      node = node.items[segment];
      offset = offsetOf(node) ?? offset;
    } else {
      break;
    }
  }
  const { line, col } = lineCounter.linePos(offset);
  return { line, column: col };
}

function offsetOf(node: unknown): number | undefined {
  return (node as Node | null | undefined)?.range?.[0];
}
