import type { FastifyInstance } from 'fastify';
import { anyValue, errorResponses, runIdParams } from '../schemas/common.js';
import type { ServerContext } from '../server-context.js';

interface RerunBody {
  from: string;
  input?: unknown;
  dry_run?: boolean;
}

const rerunResponse = {
  type: 'object',
  required: ['source_run_id', 'from', 'dry_run', 'execute', 'reuse', 'run_id'],
  properties: {
    source_run_id: { type: 'string' },
    from: { type: 'string' },
    dry_run: { type: 'boolean' },
    execute: {
      type: 'array',
      items: { type: 'string' },
      description: 'Step keys that run again, in run order',
    },
    reuse: {
      type: 'array',
      items: { type: 'string' },
      description: 'Step keys whose recorded results are kept',
    },
    run_id: { type: ['string', 'null'], description: 'The new run; null for a dry run' },
  },
} as const;

const rerunSchema = {
  tags: ['runs'],
  summary: 'Rerun an ended run from a step',
  description:
    'Starts a new run of the same document that reuses the recorded results of every step that does not depend on `from`, and executes `from` and everything downstream. `dry_run` only lists what would run again and what is reused. 404 for an unknown run or step key, 409 for a run that has not ended, 400 for an input the workflow refuses.',
  params: runIdParams,
  body: {
    type: 'object',
    required: ['from'],
    additionalProperties: false,
    properties: {
      from: {
        type: 'string',
        minLength: 1,
        maxLength: 400,
        description: 'A step key: charge, each[2].charge',
      },
      input: { ...anyValue, description: "The new run's input; default the old run's" },
      dry_run: { type: 'boolean', default: false },
    },
  },
  response: { 200: rerunResponse, 201: rerunResponse, ...errorResponses },
} as const;

/** `POST /api/v1/runs/:id/rerun`, body `{ from, input?, dry_run? }`: 201 with the new run, 200 for a dry run. */
export function rerunRoutes(app: FastifyInstance, ctx: ServerContext): void {
  app.post<{ Params: { id: string }; Body: RerunBody }>(
    '/api/v1/runs/:id/rerun',
    { schema: rerunSchema, config: { scope: 'write' } },
    async (request, reply) => {
      const { id } = request.params;
      const { from, input, dry_run: dryRun = false } = request.body;
      const result = await ctx.engine.rerun(id, {
        from,
        dryRun,
        ...('input' in request.body ? { input } : {}),
      });
      // The new run goes on in this server: the answer does not wait for its end.
      void result.run?.result().catch(() => {});
      if (result.run) request.log.info({ runId: result.run.runId, sourceRunId: id, from }, 'run rerun');
      reply.code(dryRun ? 200 : 201);
      return {
        source_run_id: result.sourceRunId,
        from: result.from,
        dry_run: dryRun,
        execute: result.execute,
        reuse: result.reuse,
        run_id: result.run?.runId ?? null,
      };
    },
  );
}
