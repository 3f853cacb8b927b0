import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { createEngine } from '../create-engine.js';

function capture(level: string) {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n')) if (line) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

describe('engine logs', () => {
  it('writes one line per event with run id, workflow and step key, and never a secret', async () => {
    const { logger, lines } = capture('debug');
    const dir = mkdtempSync(join(tmpdir(), 'weft-log-'));
    const engine = await createEngine({
      store: `sqlite:${join(dir, 'weft.db')}`,
      cwd: dir,
      logger,
      secrets: { TOKEN: 'tok-s3cret' },
    });
    const run = await engine.start({
      source: `name: logged
steps:
  - { id: say, type: skill, skill: log, inputs: { message: "token is \${ secrets.TOKEN }", level: warn } }
`,
    });
    const { runId } = await run.result();
    await engine.close();
    expect(JSON.stringify(lines)).not.toContain('tok-s3cret');
    const said = lines.find((l) => l.event === 'step.log');
    expect(said).toMatchObject({
      level: 40,
      run_id: runId,
      workflow: 'logged',
      step: 'say',
      msg: 'token is ***',
    });
    expect(lines.find((l) => l.event === 'run.completed')).toMatchObject({
      level: 30,
      run_id: runId,
      step: null,
    });
    expect(lines.filter((l) => l.event === 'step.started').length).toBe(1);
  });

  it('at warn, only problems and warning skill lines are written', async () => {
    const { logger, lines } = capture('warn');
    const dir = mkdtempSync(join(tmpdir(), 'weft-log-'));
    const engine = await createEngine({ store: `sqlite:${join(dir, 'weft.db')}`, cwd: dir, logger });
    await (
      await engine.start({
        source: 'name: quiet\nsteps:\n  - { id: f, type: fail, code: nope, message: broken }\n',
      })
    ).result();
    await engine.close();
    expect(lines.map((l) => l.event)).toEqual(['step.failed', 'run.failed']);
  });
});
