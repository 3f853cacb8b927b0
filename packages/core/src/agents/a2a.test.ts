import { afterEach, describe, expect, it } from 'vitest';
import { A2aTestAgent } from '../../test/support/a2a-server.js';
import { eventually, runDoc, stepEngine, useStepEngines } from '../../test/support/step-engine.js';
import type { WeftEngine } from '../engine/engine.js';

const setup = useStepEngines();
const agents: A2aTestAgent[] = [];
afterEach(async () => {
  await Promise.all(agents.splice(0).map((a) => a.close()));
});

const KEY = 'a2a-key-SECRET-7171';

async function harness(settings: Record<string, unknown> = {}, engineSetup = setup) {
  const agent = await new A2aTestAgent().start();
  agents.push(agent);
  const harnessed = await engineSetup();
  register(harnessed.engine, agent, settings);
  return { agent, ...harnessed };
}

function register(engine: WeftEngine, agent: A2aTestAgent, settings: Record<string, unknown> = {}) {
  engine.registerAgent('booker', { type: 'a2a', url: agent.url, api_key: KEY, ...settings });
}

const doc = (prompt: string, extra = '') => `name: a2a
steps:
  - id: book
    type: agent
    agent: booker
    prompt: "${prompt}"
${extra}`;

describe('agent step with the a2a adapter', () => {
  it('sends the prompt as a message and answers with the artifacts of the completed task', async () => {
    const { agent, engine } = await harness();
    const result = await runDoc(engine, doc('hello there'));
    expect(result).toMatchObject({ status: 'completed', output: 'echo: hello there' });
    expect(agent.seen).toHaveLength(1);
    expect(agent.seen[0]).toMatchObject({ continued: false, authorization: `Bearer ${KEY}` });
    const details = await engine.getRun(result.runId);
    expect(JSON.stringify(details)).not.toContain(KEY);
    const record = details!.steps.find((s) => s.stepKey === 'book' && s.status === 'completed')!;
    expect(record.meta).toMatchObject({ agent: 'booker', iterations: 1 });

    const json = await runDoc(
      engine,
      doc('json please', '    output_schema: { type: object, required: [verdict] }'),
    );
    expect(json).toMatchObject({ status: 'completed', output: { verdict: 'ok' } });
  });

  it('asks for a task that is still working until it completes', async () => {
    const { agent, engine } = await harness({ poll_interval: '50ms' });
    const result = await runDoc(engine, doc('slow work'));
    expect(result).toMatchObject({ status: 'completed', output: 'finally done' });
    expect(agent.seen).toHaveLength(1);
  });

  it('fails with agent_error and the task state when the task fails', async () => {
    const { engine } = await harness();
    const result = await runDoc(engine, doc('fail now'));
    expect(result.status).toBe('failed');
    expect(result.error).toMatchObject({
      code: 'agent_error',
      a2a_state: 'failed',
      message: expect.stringContaining('cannot do that'),
    });
  });

  it('fails with agent_error when there is no agent card at the URL', async () => {
    const { engine } = await setup();
    engine.registerAgent('booker', { type: 'a2a', url: 'http://127.0.0.1:9/' });
    const result = await runDoc(engine, doc('hello'));
    expect(result.error).toMatchObject({
      code: 'agent_error',
      message: expect.stringContaining('cannot read the agent card'),
    });
  });

  it('waits on input-required, and sends the data of the event that answers to the same task', async () => {
    const { agent, engine } = await harness();
    const handle = await engine.start({ source: doc('ask for a booking') });
    await eventually(
      async () => (await engine.store.getWait(handle.runId, 'book#input1.1'))?.status === 'open',
    );
    const wait = await engine.store.getWait(handle.runId, 'book#input1.1');
    expect(wait).toMatchObject({ kind: 'event', eventType: 'agent.input' });
    expect(wait!.details).toMatchObject({
      reason: "agent 'booker' asks: Which date?",
      agent: 'booker',
      task_id: agent.seen[0]!.taskId,
      context_id: agent.seen[0]!.contextId,
      question: 'Which date?',
    });
    const waiting = await engine.getRun(handle.runId);
    expect(waiting!.steps.find((s) => s.stepKey === 'book')!.status).toBe('waiting');

    await engine.sendEvent({ type: 'agent.input', data: { date: 'monday' } }, { runId: handle.runId });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', output: 'booked: {"date":"monday"}' });
    expect(agent.seen).toHaveLength(2);
    expect(agent.seen[1]).toMatchObject({
      continued: true,
      taskId: agent.seen[0]!.taskId,
      contextId: agent.seen[0]!.contextId,
      parts: [{ data: { date: 'monday' } }],
    });
  });

  it('keeps the task across a restart and resumes it with an approval', async () => {
    const agent = await new A2aTestAgent().start();
    agents.push(agent);
    const first = await stepEngine();
    register(first.engine, agent, { on_input_required: 'approval' });
    const handle = await first.engine.start({ source: doc('ask for a room') });
    await eventually(
      async () => (await first.engine.store.getWait(handle.runId, 'book#input1.1'))?.status === 'open',
    );
    await first.engine.close();

    const second = await setup(first.dir);
    register(second.engine, agent, { on_input_required: 'approval' });
    const resumed = await second.engine.resume(handle.runId);
    await second.engine.approve(handle.runId, 'book#input1.1', {
      approved: true,
      by: 'ana',
      comment: 'tuesday',
    });
    const result = await resumed.result();
    expect(result).toMatchObject({ status: 'completed' });
    expect(result.output).toContain('"approved":true');
    expect(result.output).toContain('tuesday');
    // One task: the first message was not sent again by the resumed step.
    expect(agent.seen).toHaveLength(2);
    expect(agent.seen[1]).toMatchObject({ continued: true, taskId: agent.seen[0]!.taskId });
    expect(agent.seen[1]!.parts).toEqual([
      { data: { approved: true, by: 'ana', comment: 'tuesday', data: null } },
      { text: 'tuesday' },
    ]);
  });

  it('fails with agent_error on input-required when on_input_required is fail', async () => {
    const { engine } = await harness({ on_input_required: 'fail' });
    const result = await runDoc(engine, doc('ask me'));
    expect(result.error).toMatchObject({
      code: 'agent_error',
      message: expect.stringContaining('on_input_required is fail'),
    });
  });

  it('gives up with event_timeout when no answer comes within input_timeout', async () => {
    const { engine } = await harness({ input_timeout: '200ms' });
    const result = await runDoc(engine, doc('ask me'));
    expect(result.error).toMatchObject({ code: 'event_timeout', wait: 'book#input1.1' });
  });
});
