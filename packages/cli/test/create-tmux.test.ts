import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { assertBuilt, BIN, weft, workspace } from './cli-harness.js';

// `weft create` in a real terminal: tmux runs it in a pane, keys are sent, the pane is read back.
const TMUX = spawnSync('tmux', ['-V']).status === 0;
// A server of our own (-L): our environment, no interference with other tmux sessions.
const SOCKET = `weft-create-${process.pid}-${Date.now()}`;
const SESSION = 'create';

function tmux(...args: string[]): string {
  return execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });
}

function pane(): string {
  return tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', SESSION);
}

/** Polls the pane until it shows `text`; fails with the pane's content after `ms`. */
async function waitFor(text: string, ms = 20_000): Promise<string> {
  const until = Date.now() + ms;
  for (;;) {
    const shown = pane();
    if (shown.includes(text)) return shown;
    if (Date.now() > until) throw new Error(`the terminal never showed "${text}"; it shows:\n${shown}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Types text literally, then presses Enter. */
function type(text: string): void {
  if (text !== '') tmux('send-keys', '-t', SESSION, '-l', text);
  tmux('send-keys', '-t', SESSION, 'Enter');
}

function press(...keys: string[]): void {
  tmux('send-keys', '-t', SESSION, ...keys);
}

/** Asks `question` (waits for it), then answers. */
async function answer(question: string, text: string): Promise<void> {
  await waitFor(question);
  type(text);
}

beforeAll(() => assertBuilt());
afterAll(() => {
  if (TMUX) spawnSync('tmux', ['-L', SOCKET, 'kill-server']);
});

describe.skipIf(!TMUX)('weft create in a real terminal (tmux)', () => {
  it('exits 130 on Ctrl-C without writing, then writes, validates and runs a workflow', async () => {
    const cwd = workspace();
    const launch = () => {
      spawnSync('tmux', ['-L', SOCKET, 'kill-session', '-t', SESSION]);
      const command = `NO_COLOR=1 '${process.execPath}' '${BIN}' create; echo WEFT_EXIT=$?; sleep 120`;
      tmux('new-session', '-d', '-s', SESSION, '-x', '200', '-y', '60', '-c', cwd, command);
    };

    launch();
    await answer('Workflow name', 'half-done');
    await waitFor('Description');
    press('C-c');
    await waitFor('WEFT_EXIT=130');
    expect(pane()).toContain('weft: cancelled; nothing was written');
    expect(existsSync(join(cwd, 'half-done.yaml'))).toBe(false);

    launch();
    await answer('Workflow name', 'Bad Name');
    await waitFor("invalid workflow name string 'Bad Name'");
    press('C-u');
    type('e2e-hello');
    await answer('Description (optional)', 'Greets from a terminal');
    await answer('Run input name (empty for none)', 'who');
    await answer("Type of input 'who'", ''); // string, the first choice
    await answer("Description of 'who'", '');
    await answer("Default of 'who'", 'world');
    await answer('Another run input name', '');

    await answer('Step id', 'greet');
    await waitFor("Type of step 'greet'");
    await answer('❯ skill', '');
    await waitFor("Skill for 'greet'");
    await answer('❯ echo', '');
    await answer('echo input name (empty for none)', 'message');
    await answer("echo input 'message'", 'Hello ${ inputs.who }');
    await answer('echo input name (empty to finish)', '');
    await answer("Error handling for 'greet'", 'n');
    await answer('Add another step?', 'y');

    await answer('✔ Add another step? Yes', 'greet');
    await waitFor("step id 'greet' is already used");
    press('C-u');
    type('shout');
    await waitFor("Type of step 'shout'");
    tmux('send-keys', '-t', SESSION, '-l', 'se');
    await answer('❯ set', '');
    await answer('? variable name', 'loud');
    await answer("variable 'loud'", '${ steps.greet.output.message + "!" }');
    await answer('variable name (empty to finish)', '');
    await answer("Steps 'shout' waits for", '');
    await answer("Error handling for 'shout'", '');
    await answer("✔ Error handling for 'shout' (on_error)? No", ''); // Add another step? No
    await answer('Run it on a schedule', '');

    await waitFor('ok e2e-hello.yaml');
    await answer('Run e2e-hello.yaml now?', '');
    await answer('Run input (JSON)', '');
    const end = await waitFor('WEFT_EXIT=');
    expect(end).toContain('WEFT_EXIT=0');
    expect(end).toMatch(/completed e2e-hello/);

    const text = readFileSync(join(cwd, 'e2e-hello.yaml'), 'utf8');
    expect(text.split('\n')[0]).toMatch(
      /^# yaml-language-server: \$schema=\S+\/schema\/workflow\.schema\.json$/,
    );
    expect(parse(text)).toMatchObject({
      name: 'e2e-hello',
      description: 'Greets from a terminal',
      steps: [
        { id: 'greet', type: 'skill', skill: 'echo', inputs: { message: 'Hello ${ inputs.who }' } },
        { id: 'shout', type: 'set', values: { loud: '${ steps.greet.output.message + "!" }' } },
      ],
    });
    const validated = await weft(['validate', 'e2e-hello.yaml'], { cwd });
    expect(validated.code).toBe(0);
    const run = await weft(['run', 'e2e-hello.yaml', '--json', '--set', 'who=tmux'], { cwd });
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'completed', output: { loud: 'Hello tmux!' } });
  });
});

if (!TMUX)
  it.skip('weft create in a real terminal: skipped, tmux is not installed (apt-get install -y tmux)', () => {});
