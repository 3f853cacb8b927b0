import pc from 'picocolors';

export type Colors = ReturnType<typeof pc.createColors>;

/** Colors for a stream: on when it is a TTY, unless NO_COLOR; FORCE_COLOR turns them on. */
export function colorsFor(stream: { isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): Colors {
  const forced = env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0';
  const enabled = forced || (stream.isTTY === true && env.NO_COLOR === undefined && env.TERM !== 'dumb');
  return pc.createColors(enabled);
}
