import { formatPath, type Path } from './problems.js';

/** 1-based line and column in the source text. */
export interface SourcePosition {
  line: number;
  column: number;
}

const START: SourcePosition = { line: 1, column: 1 };

/**
 * Where each node of a parsed document starts, by path. Lookups fall back to the closest ancestor,
 * so a missing field is reported at the mapping that lacks it.
 */
export class PositionMap {
  private readonly values = new Map<string, SourcePosition>();
  private readonly keys = new Map<string, SourcePosition>();

  setValue(path: Path, position: SourcePosition): void {
    this.values.set(formatPath(path), position);
  }

  setKey(path: Path, position: SourcePosition): void {
    this.keys.set(formatPath(path), position);
  }

  /** The node at `path`, else its closest ancestor, else 1:1. */
  valueAt(path: Path): SourcePosition {
    for (let length = path.length; length >= 0; length--) {
      const found =
        this.values.get(formatPath(path.slice(0, length))) ??
        this.keys.get(formatPath(path.slice(0, length)));
      if (found) return found;
    }
    return START;
  }

  /** The key of the mapping entry at `path` (for unknown fields), else as `valueAt`. */
  keyAt(path: Path): SourcePosition {
    return this.keys.get(formatPath(path)) ?? this.valueAt(path);
  }
}

/** Turns string offsets into line and column, for parsers that report offsets. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(source: string) {
    for (let i = 0; i < source.length; i++) if (source.charCodeAt(i) === 10) this.starts.push(i + 1);
  }

  at(offset: number): SourcePosition {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (this.starts[mid]! <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - this.starts[low]! + 1 };
  }
}
