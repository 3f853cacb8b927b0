import type { ValidateFunction } from 'ajv/dist/2020.js';
import { GuardedCall } from '../agents/call-context.js';
import { checkOutput, compileOutputSchema, repairPrompt } from '../agents/output.js';
import type { AgentRegistry, RegisteredAgent } from '../agents/registry.js';
import type { AgentResponse, AgentTool } from '../agents/types.js';
import { WeftError } from '../errors.js';
import type { Evaluable } from '../expr/index.js';
import type { SkillRegistry } from '../skills/registry.js';
import { parseDuration } from '../util/duration.js';
import type { StepType } from './types.js';

interface AgentStep {
  agent: string;
  prompt: Evaluable;
  inputs: Evaluable;
  outputSchema: Record<string, unknown> | undefined;
  validate: ValidateFunction | undefined;
  maxIterations: number | undefined;
  maxTokens: number | undefined;
  allowedTools: readonly string[] | undefined;
  timeoutMs: number | undefined;
}

/** `type: agent` — invoke an agent of the registry (SPEC section 2); one per engine, over its registries. */
export function createAgentStep(agents: AgentRegistry, skills: SkillRegistry): StepType<AgentStep> {
  function toolsOf(allowed: ReadonlySet<string>): AgentTool[] {
    const tools: AgentTool[] = [];
    for (const name of allowed) {
      const skill = skills.get(name);
      if (!skill) continue;
      const schema = skill.input && !('~standard' in skill.input) ? skill.input : { type: 'object' };
      tools.push({ name, description: skill.description, parameters: schema as Record<string, unknown> });
    }
    return tools;
  }

  return {
    type: 'agent',
    attempts: true,
    defaultRetry: (definition) => agents.get(String(definition.agent))?.retry,
    compile(definition, ctx) {
      const agent = String(definition.agent);
      agents.require(agent);
      const guardrails = (definition.guardrails ?? {}) as Record<string, unknown>;
      const outputSchema = definition.output_schema as Record<string, unknown> | undefined;
      let validate: ValidateFunction | undefined;
      try {
        validate = outputSchema ? compileOutputSchema(outputSchema) : undefined;
      } catch (error) {
        throw new WeftError('invalid_document', `${ctx.path}.output_schema: ${(error as Error).message}`);
      }
      return {
        agent,
        prompt: ctx.value(definition.prompt ?? '', 'prompt'),
        inputs: ctx.value(definition.inputs ?? {}, 'inputs'),
        outputSchema,
        validate,
        maxIterations: guardrails.max_iterations as number | undefined,
        maxTokens: guardrails.max_tokens as number | undefined,
        allowedTools: guardrails.allowed_tools as string[] | undefined,
        timeoutMs: guardrails.timeout === undefined ? undefined : parseDuration(guardrails.timeout),
      };
    },
    async execute(step, ctx) {
      const c = step.compiled;
      const agent = agents.require(c.agent);
      const prompt = String(ctx.evaluate(c.prompt) ?? '');
      const inputs = ctx.evaluate(c.inputs);
      ctx.recordInput({ prompt, inputs });
      const allowed = new Set(
        agent.tools.filter((t) => c.allowedTools === undefined || c.allowedTools.includes(t)),
      );
      const call = new GuardedCall({
        agent,
        skills,
        allowed,
        maxIterations: c.maxIterations,
        maxTokens: c.maxTokens,
        timeoutMs: c.timeoutMs ?? agent.timeout,
        signal: ctx.signal,
        cwd: ctx.cwd,
        runSkill: (name, input) => ctx.runSkill(name, input),
        warn: (message) => ctx.logger.warn(message),
      });
      const request = {
        agent: agent.name,
        ...(agent.system === undefined ? {} : { system: agent.system }),
        inputs,
        ...(c.outputSchema ? { outputSchema: c.outputSchema } : {}),
        tools: toolsOf(allowed),
        guardrails: { maxIterations: c.maxIterations, maxTokens: c.maxTokens },
      };
      const invoke = (text: string) =>
        agents.guard(
          agent.name,
          () => raceSignal(agent.adapter.invoke({ ...request, prompt: text }, call.context()), call.signal),
          call.signal,
        );
      const release = await acquire(agent);
      try {
        const response = await invoke(prompt);
        if (!c.validate) return { output: response.text, meta: call.meta() };
        let checked = checkOutput(response, c.validate);
        if ('problem' in checked) {
          ctx.logger.warn(
            `agent '${agent.name}': answer does not match output_schema (${checked.problem}); asking once more`,
          );
          const repaired = await invoke(repairPrompt(prompt, response.text, checked.problem));
          checked = checkOutput(repaired, c.validate);
          if ('problem' in checked) {
            throw new WeftError(
              'agent_error',
              `agent '${agent.name}': the answer does not match output_schema after one repair: ${checked.problem}`,
            );
          }
        }
        return { output: checked.value, meta: call.meta() };
      } catch (error) {
        throw call.failure(error);
      } finally {
        call.dispose();
        release();
      }
    },
  };
}

/** Rejects with the signal's reason when it fires first (an adapter that ignores its signal). */
function raceSignal(work: Promise<AgentResponse>, signal: AbortSignal): Promise<AgentResponse> {
  if (signal.aborted) return Promise.reject(WeftError.from(signal.reason, 'cancelled'));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(WeftError.from(signal.reason, 'cancelled'));
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Waits for a slot under the agent's `max_concurrency`; the returned release is idempotent. */
async function acquire(agent: RegisteredAgent): Promise<() => void> {
  const slots = agent.slots;
  if (!slots) return () => {};
  await slots.acquire();
  let released = false;
  return () => {
    if (!released) slots.release();
    released = true;
  };
}
