import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, weft, workspace } from './cli-harness.js';

const greet = (word: string) => `name: greet
steps:
  - id: say
    type: skill
    skill: echo
    inputs: { text: "${word}" }
output: "\${ steps.say.output.text }"
`;

describe('weft workflows', () => {
  let cwd: string;
  const run = (...args: string[]) => weft(args, { cwd });
  beforeAll(() => {
    assertBuilt();
    cwd = workspace({ 'greet.yaml': greet('hello') });
  });

  it('pushes, lists, runs by name, pins versions, diffs, rolls back, archives and deletes', async () => {
    const first = await run('workflows', 'push', 'greet.yaml', '-m', 'first');
    expect(first).toMatchObject({ code: 0, stdout: "workflow 'greet': created version 1, active\n" });
    const same = await run('workflows', 'push', 'greet.yaml');
    expect(same.stdout).toBe("workflow 'greet': unchanged (version 1, active, has this content)\n");

    writeFileSync(join(cwd, 'greet.yaml'), greet('hi'));
    const second = await run('workflows', 'push', 'greet.yaml', '--json');
    expect(JSON.parse(second.stdout)).toEqual([
      {
        name: 'greet',
        path: 'greet.yaml',
        version: 2,
        status: 'active',
        created: true,
        updated: false,
        deprecated: 1,
        message: "workflow 'greet': created version 2, active (version 1 deprecated)",
      },
    ]);

    const byName = await run('run', 'greet', '--json');
    expect(byName.code).toBe(0);
    expect(JSON.parse(byName.stdout)).toMatchObject({ status: 'completed', output: 'hi' });
    const pinned = await run('run', 'greet', '--version', '1', '--json');
    expect(JSON.parse(pinned.stdout)).toMatchObject({ status: 'completed', output: 'hello' });
    expect(pinned.stderr).toContain("weft: warning: workflow 'greet' version 1 is deprecated");
    const shown = await run('runs', 'show', JSON.parse(pinned.stdout).run_id, '--json');
    expect(JSON.parse(shown.stdout).run).toMatchObject({ workflow: 'greet', version: 1 });

    const versions = await run('workflows', 'versions', 'greet');
    expect(versions.stdout).toMatch(/VERSION\s+STATUS\s+CREATED\s+RUNS\s+SUMMARY/);
    expect(versions.stdout).toMatch(/\n\s*1\s+deprecated\s+.+\s+1\s+first\n/);
    expect(versions.stdout).toMatch(/\n\s*2\s+active\s+.+\s+1\n?/);
    const list = JSON.parse((await run('workflows', 'list', '--json')).stdout);
    expect(list).toMatchObject([{ name: 'greet', latest: 2, active: 2, versions: 2 }]);

    const diff = await run('workflows', 'diff', 'greet', '1', '2');
    expect(diff.stdout).toContain('-    inputs: { text: "hello" }\n+    inputs: { text: "hi" }');
    const show = await run('workflows', 'show', 'greet', '--version', '1');
    expect(show.stdout).toBe(greet('hello'));

    const back = await run('workflows', 'rollback', 'greet', '1');
    expect(back.stdout).toBe("workflow 'greet': created version 3, active (version 2 deprecated)\n");
    expect(JSON.parse((await run('run', 'greet', '--json')).stdout).output).toBe('hello');

    expect((await run('workflows', 'status', 'greet', '3', 'archived')).stdout).toBe(
      "workflow 'greet' version 3 is archived\n",
    );
    const archived = await run('run', 'greet', '--version', '3');
    expect(archived.code).toBe(2);
    expect(archived.stderr).toContain("workflow 'greet' version 3 is archived and cannot run");
    const noActive = await run('run', 'greet');
    expect(noActive.code).toBe(2);
    expect(noActive.stderr).toContain("workflow 'greet' has no active version");
    const back2 = await run('workflows', 'status', 'greet', '3', 'draft');
    expect(back2.code).toBe(2);
    expect(back2.stderr).toContain('only drafts are mutable');

    const deleted = await run('workflows', 'delete', 'greet');
    expect(deleted.stdout).toBe("deleted workflow 'greet' (3 versions)\n");
    const gone = await run('run', 'gret');
    expect(gone.code).toBe(2);
    expect(gone.stderr).toContain("no registered workflow 'gret'");
  });

  it('gives concurrent pushes from several processes distinct versions, one active', async () => {
    const files = Object.fromEntries([1, 2, 3, 4, 5].map((i) => [`g${i}.yaml`, greet(`v${i}`)]));
    const dir = workspace(files);
    const pushes = await Promise.all(
      Object.keys(files).map((file) => weft(['workflows', 'push', file, '--json'], { cwd: dir })),
    );
    expect(pushes.map((p) => p.code)).toEqual([0, 0, 0, 0, 0]);
    const numbers = pushes.map((p) => JSON.parse(p.stdout)[0].version).sort();
    expect(numbers).toEqual([1, 2, 3, 4, 5]);
    const versions = JSON.parse(
      (await weft(['workflows', 'versions', 'greet', '--json'], { cwd: dir })).stdout,
    );
    expect(versions.filter((v: { status: string }) => v.status === 'active')).toHaveLength(1);
    expect(versions.find((v: { status: string }) => v.status === 'active').version).toBe(5);
  });

  it('reports bad input with exit 2: invalid documents with file:line, bad statuses and versions', async () => {
    const dir = workspace({ 'bad.yaml': 'name: bad\nsteps:\n  - id: a\n    type: skil\n' });
    const bad = await weft(['workflows', 'push', 'bad.yaml'], { cwd: dir });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^bad\.yaml:4:\d+: steps\[0\]\.type: /m);
    const status = await weft(['workflows', 'status', 'x', '1', 'retired'], { cwd: dir });
    expect(status.code).toBe(2);
    expect(status.stderr).toContain(
      "expected one of draft, active, deprecated, archived for <status>, got 'retired'",
    );
    const version = await weft(['run', 'x', '--version', 'two'], { cwd: dir });
    expect(version.code).toBe(2);
    expect(version.stderr).toContain("expected a positive integer for --version, got 'two'");
    const fileVersion = await weft(['run', 'bad.yaml', '--version', '2'], { cwd: dir });
    expect(fileVersion.code).toBe(2);
    expect(fileVersion.stderr).toContain(
      "--version picks a version of a registered workflow; 'bad.yaml' is a file",
    );
  });
});
