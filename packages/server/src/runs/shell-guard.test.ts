import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runIdForKey } from './idempotency.js';
import { findShellUses } from './shell-guard.js';
import { shellUsesDeep } from './shell-policy.js';

describe('findShellUses', () => {
  it('finds shell skill steps at any depth, stream sources and agents allowed to call it', () => {
    const doc = {
      name: 'x',
      steps: [
        { id: 'a', type: 'skill', skill: 'echo', inputs: { skill: 'shell' } },
        { id: 'p', type: 'parallel', steps: [{ id: 'b', type: 'skill', skill: 'shell' }] },
        { id: 's', type: 'stream', source: { skill: 'shell', inputs: {} }, steps: [] },
        { id: 'g', type: 'agent', agent: 'dev', guardrails: { allowed_tools: ['file.read', 'shell'] } },
        {
          id: 'c',
          type: 'switch',
          cases: [{ when: 'true', steps: [] }],
          default: [{ id: 'd', type: 'skill', skill: 'shell' }],
        },
      ],
    };
    expect(findShellUses(doc)).toEqual([
      'steps[1].steps[0]',
      'steps[2].source',
      'steps[3].guardrails.allowed_tools',
      'steps[4].default[0]',
    ]);
    expect(findShellUses({ name: 'x', steps: [{ id: 'a', type: 'skill', skill: 'echo' }] })).toEqual([]);
  });
});

describe('runIdForKey', () => {
  it('derives a stable version 5 UUID per key', () => {
    const id = runIdForKey('order-42');
    expect(id).toBe(runIdForKey('order-42'));
    expect(id).not.toBe(runIdForKey('order-43'));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('shellUsesDeep', () => {
  it('follows child workflow files and on_complete chains, relative to each document', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'weft-shell-'));
    mkdirSync(join(dir, 'sub'));
    writeFileSync(
      join(dir, 'sub', 'leaf.yaml'),
      'name: leaf\nsteps:\n  - { id: x, type: skill, skill: shell, inputs: { command: ls } }\n',
    );
    writeFileSync(
      join(dir, 'middle.yaml'),
      'name: middle\nsteps:\n  - { id: m, type: workflow, workflow: sub/leaf.yaml }\n',
    );
    const top = {
      name: 'top',
      steps: [{ id: 't', type: 'workflow', workflow: 'middle.yaml' }],
      on_complete: [{ workflow: 'sub/leaf.yaml' }],
    };
    expect(await shellUsesDeep(top, { dirs: [dir] })).toEqual(['sub/leaf.yaml: steps[0]']);
    expect(
      await shellUsesDeep(
        { name: 'a', steps: [{ id: 'w', type: 'workflow', workflow: 'missing.yaml' }] },
        { dirs: [dir] },
      ),
    ).toEqual([]);
  });
});
