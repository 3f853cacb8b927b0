import type { ValidateFunction } from 'ajv/dist/2020.js';
import { GuardedCall } from '../agents/call-context.js';
import { checkOutput, compileOutputSchema, repairPrompt } from '../agents/output.js';
import type { AgentRegistry } from '../agents/registry.js';
import type { AgentResponse, AgentTool } from '../agents/types.js';
import { WeftError } from '../errors.js';
import type { Evaluable } from '../expr/index.js';
import type { SkillRegistry } from '../skills/registry.js';
import { parseDuration } from '../util/duration.js';
import { waitForAnswer } from './agent-input.js';
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
  stream: boolean | undefined;
}

/** What an adapter saved for a durable wait (ctx.save), with the attempt it belongs to. */
interface Saved {
  attempt: number;
  state: Record<string, unknown>;
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
        stream: definition.stream as boolean | undefined,
      };
    },
    async execute(step, ctx) {
      const c = step.compiled;
      const agent = agents.require(c.agent);
      const prompt = String(ctx.evaluate(c.prompt) ?? '');
      const inputs = ctx.evaluate(c.inputs);
      ctx.recordInput({ prompt, inputs });
      let meta: Record<string, unknown> = { agent: agent.name };
      // A cache hit skips the invocation: no slot, no tokens, no call.
      const output = await ctx.cached(`agent:${agent.name}`, { prompt, inputs }, async () => {
        const answer = await invokeOnce(prompt, inputs);
        meta = answer.meta;
        return answer.output;
      });
      return { output, meta };

      async function invokeOnce(prompt: string, inputs: unknown) {
        const allowed = new Set(
          agent.tools.filter((t) => c.allowedTools === undefined || c.allowedTools.includes(t)),
        );
        const saved = ctx.checkpoint as Saved | undefined;
        const wait = { signal: ctx.signal, onQueued: (reason: string) => ctx.logger.info(reason) };
        let release: () => void = () => {};
        const call = new GuardedCall({
          agent,
          skills,
          allowed,
          maxIterations: c.maxIterations,
          maxTokens: c.maxTokens,
          timeoutMs: c.timeoutMs ?? agent.timeout,
          signal: ctx.signal,
          cwd: ctx.cwd,
          runSkill: (name, input) => ctx.runSkill(name, input, { cache: false }),
          warn: (message) => ctx.logger.warn(message),
          progress: (text) => ctx.emit('step.progress', { value: text, kind: 'tokens' }),
          // Saved by an earlier run of this same attempt (its process stopped while waiting).
          saved: saved?.attempt === ctx.attempt ? saved.state : undefined,
          save: (state) => ctx.saveCheckpoint({ attempt: ctx.attempt, state } satisfies Saved),
          askInput: async (question) => {
            // Nobody works while a question waits: the agent's slot goes to others meanwhile.
            release();
            const answer = await waitForAnswer(ctx, {
              agent: agent.name,
              policy: agent.input,
              question,
              signal: call.signal,
            });
            release = await agents.acquire(agent, { ...wait, signal: call.signal });
            return answer;
          },
        });
        const request = {
          agent: agent.name,
          ...(agent.system === undefined ? {} : { system: agent.system }),
          inputs,
          ...(c.outputSchema ? { outputSchema: c.outputSchema } : {}),
          tools: toolsOf(allowed),
          guardrails: { maxIterations: c.maxIterations, maxTokens: c.maxTokens },
          ...(c.stream === undefined ? {} : { stream: c.stream }),
        };
        const invoke = (text: string) =>
          agents.guard(
            agent.name,
            () => raceSignal(agent.adapter.invoke({ ...request, prompt: text }, call.context()), call.signal),
            call.signal,
          );
        try {
          // The timeout counts from here: queueing for a slot included.
          release = await agents.acquire(agent, { ...wait, signal: call.signal });
          const response = await invoke(prompt);
          if (!c.validate) return { output: response.text as unknown, meta: call.meta() };
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
