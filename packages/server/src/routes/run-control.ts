import type { FastifyInstance } from 'fastify';
import { errorResponses, runIdParams } from '../schemas/common.js';
import { runStatusSchema } from '../schemas/run.js';
import type { ServerContext } from '../server-context.js';

type Action = 'pause' | 'resume' | 'cancel';

interface ControlBody {
  reason?: string;
  by?: string;
}

const SUMMARIES: Record<Action, [string, string]> = {
  pause: [
    'Pause a run',
    'Running steps finish, no new step starts, timers are held; status `paused`. Works wherever the run executes (its owner applies it within a second). 409 when the run ended, is paused or is being cancelled.',
  ],
  resume: [
    'Resume a paused or interrupted run',
    'Un-pauses a paused run where it executes; a run nobody executes (its process died) continues in this server. 409 when the run is running and not paused, ended, or is being cancelled.',
  ],
  cancel: [
    'Cancel a run',
    'Running steps get their abort signal (shell process groups are killed), steps not started are `cancelled`, child runs are cancelled; status `cancelled` with `reason` and `by`. 409 when the run ended or is already being cancelled.',
  ],
};

const controlResponse = {
  type: 'object',
  required: ['run_id', 'action', 'applied_by', 'owner', 'status'],
  properties: {
    run_id: { type: 'string' },
    action: { type: 'string', enum: ['pause', 'resume', 'cancel'] },
    applied_by: {
      type: 'string',
      enum: ['here', 'owner'],
      description:
        '`here`: this server applied it (it executes the run, or took it over); `owner`: the process executing the run applies it within a second',
    },
    owner: { type: ['string', 'null'], description: 'The process executing the run' },
    status: { ...runStatusSchema, description: 'The run status in the store when the answer was sent' },
  },
} as const;

function schemaFor(action: Action) {
  const [summary, description] = SUMMARIES[action];
  const properties: Record<string, object> = { by: { type: 'string', minLength: 1, maxLength: 200 } };
  if (action !== 'resume') properties.reason = { type: 'string', minLength: 1, maxLength: 2000 };
  return {
    tags: ['runs'],
    summary,
    description,
    params: runIdParams,
    body: { type: 'object', additionalProperties: false, properties },
    response: { 200: controlResponse, ...errorResponses },
  } as const;
}

/** `POST /api/v1/runs/:id/pause | resume | cancel`, body `{ reason?, by? }`. */
export function runControlRoutes(app: FastifyInstance, ctx: ServerContext): void {
  for (const action of ['pause', 'resume', 'cancel'] as const) {
    app.post<{ Params: { id: string }; Body: ControlBody }>(
      `/api/v1/runs/:id/${action}`,
      {
        schema: schemaFor(action),
        config: { scope: 'write' },
        // `curl -X POST .../pause` sends no body: that is `{}`.
        preValidation: async (request) => {
          request.body ??= {};
        },
      },
      async (request) => {
        const { id } = request.params;
        const { by, reason } = request.body;
        const { engine } = ctx;
        let appliedBy: 'here' | 'owner';
        let owner: string | null;
        if (action === 'resume') {
          // Continued here, the run goes on in this server: the answer does not wait for its end.
          const resumed = await engine.resume(id, { by });
          appliedBy = resumed.local ? 'here' : 'owner';
          owner = resumed.owner;
        } else {
          ({ appliedBy, owner } = await engine[action](id, { by, reason }));
        }
        const status = (await engine.store.getRun(id))?.status ?? null;
        request.log.info({ runId: id, action, appliedBy, by }, `run ${action} requested`);
        return { run_id: id, action, applied_by: appliedBy, owner, status };
      },
    );
  }
}
