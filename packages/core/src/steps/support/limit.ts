/**
 * Runs `task(0) .. task(count - 1)` with at most `max` running at once (all at once when
 * undefined), starting them in index order; resolves when every started task has settled.
 * `shouldStart` is asked before each start: false leaves the remaining tasks unstarted.
 */
export async function eachLimited(
  count: number,
  max: number | undefined,
  task: (index: number) => Promise<void>,
  shouldStart: () => boolean = () => true,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < count && shouldStart()) await task(next++);
  };
  const workers = Math.min(max ?? count, count);
  await Promise.all(Array.from({ length: workers }, worker));
}
