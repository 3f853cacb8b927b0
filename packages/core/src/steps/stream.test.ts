import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  eventually,
  interruptAndResume,
  runDoc,
  stepStates,
  useStepEngines,
} from '../../test/support/step-engine.js';
import { defineSkill } from '../skills/types.js';

const setup = useStepEngines();

const stream = (fields: string, body: string) => `name: streams
steps:
  - id: s
    type: stream
${fields}
    steps:
${body}
`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A source skill yielding `count` numbers, `gapMs` apart after every `every` items; counts how far it got. */
function counter() {
  const seen = { produced: 0, consumed: 0, ahead: 0 };
  const skills = [
    defineSkill<{ count: number; every?: number; gapMs?: number }>({
      name: 'numbers',
      run: () => [],
      async *iterate({ count, every = 0, gapMs = 0 }) {
        for (let i = 0; i < count; i++) {
          if (every > 0 && i > 0 && i % every === 0) await sleep(gapMs);
          seen.produced++;
          seen.ahead = Math.max(seen.ahead, seen.produced - seen.consumed);
          yield i;
        }
      },
    }),
    defineSkill<{ value: unknown; ms?: number }>({
      name: 'consume',
      async run({ value, ms = 0 }) {
        await sleep(ms);
        seen.consumed++;
        return value;
      },
    }),
  ];
  return { seen, skills };
}

describe('stream: skill sources', () => {
  it('processes the lines of file.lines in order; keys <stream>[n].<id>; output { count, results }', async () => {
    const { engine, dir } = await setup();
    writeFileSync(join(dir, 'data.txt'), 'apple\npear\nfig\n');
    const result = await runDoc(
      engine,
      stream(
        '    source: { skill: file.lines, inputs: { path: data.txt } }\n    as: fruit',
        '      - { id: up, type: skill, skill: transform, inputs: { value: "${ string(loop.index) + \':\' + fruit }" } }',
      ),
    );
    expect(result).toMatchObject({
      status: 'completed',
      output: { count: 3, results: ['0:apple', '1:pear', '2:fig'] },
    });
    expect(await stepStates(engine, result.runId)).toEqual({
      s: 'completed',
      's[0].up': 'completed',
      's[1].up': 'completed',
      's[2].up': 'completed',
    });
  });

  it('reads a custom async generator (iterate) and a skill whose run returns an async iterable', async () => {
    const { engine } = await setup();
    engine.registerSkill(
      defineSkill({
        name: 'letters',
        async *run() {
          yield* ['a', 'b'];
        },
      }),
    );
    const { skills } = counter();
    for (const skill of skills) engine.registerSkill(skill);
    const body = '      - { id: x, type: skill, skill: transform, inputs: { value: "${ loop.item }" } }';
    const numbers = await runDoc(
      engine,
      stream('    source: { skill: numbers, inputs: { count: 4 } }', body),
    );
    expect(numbers.output).toEqual({ count: 4, results: [0, 1, 2, 3] });
    const letters = await runDoc(engine, stream('    source: { skill: letters }', body));
    expect(letters.output).toEqual({ count: 2, results: ['a', 'b'] });
  });

  it('pauses the source while the buffer is full: never more than buffer + in-flight items ahead', async () => {
    const { engine } = await setup();
    const { seen, skills } = counter();
    for (const skill of skills) engine.registerSkill(skill);
    const result = await runDoc(
      engine,
      stream(
        '    source: { skill: numbers, inputs: { count: 40 } }\n    buffer: 5\n    max_parallelism: 2',
        '      - { id: c, type: skill, skill: consume, inputs: { value: "${ loop.item }", ms: 3 } }',
      ),
    );
    expect(result.output).toEqual({ count: 40, results: Array.from({ length: 40 }, (_, i) => i) });
    expect(seen.ahead).toBeLessThanOrEqual(5 + 2);
    expect(seen.ahead).toBeGreaterThanOrEqual(5);
  });

  it('runs up to max_parallelism items at once and keeps item order in results', async () => {
    const { engine, probes } = await setup();
    const result = await runDoc(
      engine,
      stream(
        '    source: { skill: file.lines, inputs: { path: lines.txt } }\n    max_parallelism: 3',
        '      - { id: w, type: skill, skill: probe.wait, inputs: { id: "${ loop.item }", ms: "${ 40 - loop.index * 5 }", value: "${ loop.index }" } }',
      ).replace('lines.txt', writeLines(['a', 'b', 'c', 'd', 'e', 'f'])),
    );
    expect(result.output).toEqual({ count: 6, results: [0, 1, 2, 3, 4, 5] });
    let running = 0;
    let peak = 0;
    for (const entry of probes.log) {
      running += entry.startsWith('start:') ? 1 : -1;
      peak = Math.max(peak, running);
    }
    expect(peak).toBe(3);
  });

  it('batches by size: the body gets ${ batch }; the last batch holds the rest', async () => {
    const { engine } = await setup();
    const { skills } = counter();
    for (const skill of skills) engine.registerSkill(skill);
    const result = await runDoc(
      engine,
      stream(
        '    source: { skill: numbers, inputs: { count: 7 } }\n    batch: { size: 3 }',
        '      - { id: b, type: skill, skill: transform, inputs: { value: "${ batch }" } }',
      ),
    );
    expect(result.output).toEqual({ count: 7, results: [[0, 1, 2], [3, 4, 5], [6]] });
    expect(Object.keys(await stepStates(engine, result.runId))).toEqual(['s', 's[0].b', 's[1].b', 's[2].b']);
  });

  it('batches by time window: a batch closes window after its first item, even when not full', async () => {
    const { engine } = await setup();
    const { skills } = counter();
    for (const skill of skills) engine.registerSkill(skill);
    const result = await runDoc(
      engine,
      stream(
        '    source: { skill: numbers, inputs: { count: 6, every: 2, gapMs: 150 } }\n    batch: { size: 10, window: 50ms }',
        '      - { id: b, type: skill, skill: transform, inputs: { value: "${ batch }" } }',
      ),
    );
    expect(result.output).toEqual({
      count: 6,
      results: [
        [0, 1],
        [2, 3],
        [4, 5],
      ],
    });
  });

  it('fails with the first failed item and stops reading; a source that fails fails the stream', async () => {
    const { engine } = await setup();
    const { skills } = counter();
    for (const skill of skills) engine.registerSkill(skill);
    const failing = await runDoc(
      engine,
      stream(
        '    source: { skill: numbers, inputs: { count: 1000 } }\n    buffer: 2',
        '      - { id: f, type: fail, code: bad_item, when: "${ loop.item == 3 }" }',
      ),
    );
    expect(failing.error).toMatchObject({ code: 'bad_item', step: 's[3].f' });
    expect(Object.keys(await stepStates(engine, failing.runId)).length).toBeLessThan(10);
    const notIterable = await runDoc(
      engine,
      stream('    source: { skill: echo, inputs: { a: 1 } }', '      - { id: x, type: skill, skill: echo }'),
    );
    expect(notIterable.error).toMatchObject({ code: 'skill_error', step: 's' });
    expect(notIterable.error?.message).toContain(
      "skill 'echo' cannot be a stream source: expected iterate(), or run() returning an async iterable or a list, got object",
    );
  });
});

describe('stream: event sources', () => {
  const body = '      - { id: x, type: skill, skill: transform, inputs: { value: "${ loop.item.v }" } }';

  it('takes events one per item, up to max_items; match filters them', async () => {
    const { engine } = await setup();
    const handle = await engine.start({
      source: stream(
        '    source: { event: reading, match: "${ event.data.v > 0 }", max_items: 3 }\n    max_parallelism: 2',
        body,
      ),
    });
    const { runId } = handle;
    for (const v of [1, -1, 2, 3, 4]) await engine.sendEvent({ type: 'reading', data: { v } }, { runId });
    expect(await handle.result()).toMatchObject({
      status: 'completed',
      output: { count: 3, results: [1, 2, 3] },
    });
    const left = await engine.store.listInbox({ runIds: [runId] });
    expect(left.map((row) => row.event.data)).toEqual([{ v: -1 }, { v: 4 }]);
  });

  it('ends after idle_timeout without an event; events sent by type reach it while it waits', async () => {
    const { engine } = await setup();
    const handle = await engine.start({
      source: stream('    source: { event: reading, idle_timeout: 300ms }', body),
    });
    for (const [n, v] of [5, 6].entries()) {
      const key = `s[${n}]`;
      await eventually(async () => (await engine.store.getWait(handle.runId, key))?.status === 'open');
      expect(await engine.sendEvent({ type: 'reading', data: { v } })).toMatchObject({ delivered: 1 });
    }
    const started = Date.now();
    expect(await handle.result()).toMatchObject({
      status: 'completed',
      output: { count: 2, results: [5, 6] },
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(await engine.store.getWait(handle.runId, 's[2]')).toMatchObject({
      status: 'done',
      outcome: { kind: 'timeout' },
    });
  });

  it('a resumed stream continues after the events it had taken, without processing them again', async () => {
    const first = await setup();
    const doc = stream(
      '    source: { event: reading, max_items: 3 }',
      `      - { id: x, type: skill, skill: probe.wait, when: "\${ loop.index != 1 }", inputs: { id: "w\${ loop.index }", value: "\${ loop.item.v }" } }
      - { id: g, type: skill, skill: probe.gate, when: "\${ loop.index == 1 }", inputs: { id: gate, value: "\${ loop.item.v }" } }`,
    );
    const handle = await first.engine.start({ source: doc });
    const { runId } = handle;
    for (const v of [10, 20, 30]) await first.engine.sendEvent({ type: 'reading', data: { v } }, { runId });
    await first.probes.reached('gate');
    await eventually(async () => (await stepStates(first.engine, runId))['s[0].x'] === 'completed');
    await first.engine.close();
    const second = await setup(first.dir);
    const resumed = await second.engine.resume(runId);
    await second.probes.reached('gate');
    second.probes.open('gate');
    expect(await resumed.result()).toMatchObject({ status: 'completed', output: { results: [10, 20, 30] } });
    expect(second.probes.log).toEqual(['start:gate', 'end:gate', 'start:w2', 'end:w2']);
    expect(await second.engine.store.listInbox({ runIds: [runId] })).toEqual([]);
  });
});

describe('stream: durability and load checks', () => {
  it('a restarted stream replays the items already done and goes on', async () => {
    const path = writeLines(['a', 'b', 'c', 'd']);
    const { result, before, after } = await interruptAndResume(
      stream(
        `    source: { skill: file.lines, inputs: { path: ${path} } }`,
        `      - { id: x, type: skill, skill: probe.wait, when: "\${ loop.index != 2 }", inputs: { id: "\${ loop.item }" } }
      - { id: g, type: skill, skill: probe.gate, when: "\${ loop.index == 2 }", inputs: { id: gate } }`,
      ),
      'gate',
      { done: ['s[0].x', 's[1].x'] },
    );
    expect(result).toMatchObject({
      status: 'completed',
      output: { count: 4, results: ['a', 'b', 'gate', 'd'] },
    });
    expect(before).toEqual(['start:a', 'end:a', 'start:b', 'end:b', 'start:gate', 'abort:gate:cancelled']);
    expect(after).toEqual(['start:gate', 'end:gate', 'start:d', 'end:d']);
  });

  it('forms the batches a window closed before a restart the same way again (checkpoint)', async () => {
    const numbers = (gapMs: number) =>
      defineSkill({
        name: 'numbers',
        run: () => [],
        async *iterate() {
          for (let i = 0; i < 6; i++) {
            if (i > 0 && i % 2 === 0) await sleep(gapMs);
            yield i;
          }
        },
      });
    const doc = stream(
      '    source: { skill: numbers }\n    batch: { size: 10, window: 50ms }',
      `      - { id: b, type: skill, skill: transform, when: "\${ loop.index != 1 }", inputs: { value: "\${ batch }" } }
      - { id: g, type: skill, skill: probe.gate, when: "\${ loop.index == 1 }", inputs: { id: gate, value: "\${ batch }" } }`,
    );
    const first = await setup();
    first.engine.registerSkill(numbers(150));
    const handle = await first.engine.start({ source: doc });
    await first.probes.reached('gate');
    await first.engine.close();
    // Now the source gives everything at once: only the batches not yet formed may differ.
    const second = await setup(first.dir);
    second.engine.registerSkill(numbers(0));
    const resumed = await second.engine.resume(handle.runId);
    await second.probes.reached('gate');
    second.probes.open('gate');
    expect((await resumed.result()).output).toEqual({
      count: 6,
      results: [
        [0, 1],
        [2, 3],
        [4, 5],
      ],
    });
  });

  it('refuses a source that is neither a skill nor an event, and a loop over a literal that is not a list', async () => {
    const { engine } = await setup();
    const body = '      - { id: x, type: skill, skill: echo }';
    await expect(engine.start({ source: stream('    source: { path: data.txt }', body) })).rejects.toThrow(
      '<input>:5:13: steps[0].source: expected a source with skill (a skill that yields items) or event (an event type), got a mapping with path',
    );
    await expect(
      engine.start({ source: stream('    source: { skill: file.lines, event: reading }', body) }),
    ).rejects.toThrow('steps[0].source: a stream source is a skill or an event subscription, not both');
    const loop = `name: l\nsteps:\n  - id: l\n    type: loop\n    for_each: "\${ 5 }"\n    steps:\n${body}\n`;
    await expect(engine.start({ source: loop })).rejects.toThrow(
      "<input>:5:15: steps[0].for_each: '${ 5 }' gives number 5; expected a list",
    );
  });
});

/** A file of lines in a temp dir; returns its absolute path. */
function writeLines(lines: string[]): string {
  const path = join(mkdtempSync(join(tmpdir(), 'weft-stream-')), 'lines.txt');
  writeFileSync(path, `${lines.join('\n')}\n`);
  return path;
}
