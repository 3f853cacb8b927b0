import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AgentCard, type Message, type Part, Role, type Task, TaskState } from '@a2a-js/sdk';
import {
  AgentEvent,
  type AgentExecutor,
  DefaultRequestHandler,
  type ExecutionEventBus,
  InMemoryTaskStore,
  type RequestContext,
} from '@a2a-js/sdk/server';
import { agentCardHandler, jsonRpcHandler, UserBuilder } from '@a2a-js/sdk/server/express';
import express from 'express';

/** A message the agent received: its task (when it continued one) and what its parts said. */
export interface SeenMessage {
  taskId: string;
  contextId: string;
  continued: boolean;
  parts: ({ text: string } | { data: unknown })[];
  authorization: string | undefined;
}

const text = (value: string): Part => ({
  content: { $case: 'text', value },
  metadata: undefined,
  filename: '',
  mediaType: 'text/plain',
});

/**
 * An A2A agent on 127.0.0.1 built with the SDK's server side (DefaultRequestHandler, the Express
 * JSON-RPC transport and agent card). It decides by the first message's text: `fail` -> the task
 * fails; `ask` -> input-required ("Which date?"), then completes with the answer it got; `json`
 * -> a data artifact; `slow` -> answers while still working and completes 300ms later; anything
 * else -> a text artifact `echo: <first line>`.
 */
export class A2aTestAgent {
  readonly seen: SeenMessage[] = [];
  #server: Server | undefined;
  url = '';

  async start(): Promise<this> {
    const app = express();
    const executor: AgentExecutor = {
      execute: (request, bus) => this.#execute(request, bus),
      cancelTask: async () => {},
    };
    this.#server = await new Promise<Server>((resolve) => {
      const server = app.listen(0, '127.0.0.1', () => resolve(server));
    });
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    const card: AgentCard = {
      name: 'booker',
      description: 'Books things; asks for a date when it needs one',
      supportedInterfaces: [
        { url: `${this.url}/a2a`, protocolBinding: 'JSONRPC', tenant: '', protocolVersion: '1.0' },
      ],
      provider: undefined,
      version: '1.0.0',
      capabilities: { streaming: false, pushNotifications: false, extensions: [] },
      securitySchemes: {},
      securityRequirements: [],
      defaultInputModes: ['text/plain', 'application/json'],
      defaultOutputModes: ['text/plain', 'application/json'],
      skills: [],
      signatures: [],
    };
    const handler = new DefaultRequestHandler(card, this.#tasks, executor);
    app.use('/.well-known/agent-card.json', agentCardHandler({ agentCardProvider: handler }));
    app.use(
      '/a2a',
      (req, _res, next) => {
        this.#authorization = req.headers.authorization;
        next();
      },
      jsonRpcHandler({ requestHandler: handler, userBuilder: UserBuilder.noAuthentication }),
    );
    return this;
  }

  #authorization: string | undefined;
  readonly #tasks = new InMemoryTaskStore();

  async #execute(request: RequestContext, bus: ExecutionEventBus): Promise<void> {
    const { taskId, contextId, userMessage } = request;
    const parts = userMessage.parts.map((p) =>
      p.content?.$case === 'data' ? { data: p.content.value } : { text: String(p.content?.value ?? '') },
    );
    this.seen.push({
      taskId,
      contextId,
      continued: request.task !== undefined,
      parts,
      authorization: this.#authorization,
    });
    const first = request.task?.history[0] ?? userMessage;
    const asked = first.parts.map((p) => (p.content?.$case === 'text' ? p.content.value : '')).join('\n');
    const task: Task = request.task ?? {
      id: taskId,
      contextId,
      status: {
        state: TaskState.TASK_STATE_SUBMITTED,
        message: undefined,
        timestamp: new Date().toISOString(),
      },
      artifacts: [],
      history: [userMessage],
      metadata: undefined,
    };
    bus.publish(AgentEvent.task(task));
    const status = (state: TaskState, said?: string) =>
      bus.publish(
        AgentEvent.statusUpdate({
          taskId,
          contextId,
          status: {
            state,
            message: said === undefined ? undefined : this.#message(request, said),
            timestamp: new Date().toISOString(),
          },
          metadata: undefined,
        }),
      );
    const artifact = (part: Part) =>
      bus.publish(
        AgentEvent.artifactUpdate({
          taskId,
          contextId,
          artifact: {
            artifactId: randomUUID(),
            name: 'answer',
            description: '',
            parts: [part],
            metadata: undefined,
            extensions: [],
          },
          append: false,
          lastChunk: true,
          metadata: undefined,
        }),
      );
    status(TaskState.TASK_STATE_WORKING);
    if (asked.startsWith('fail')) {
      status(TaskState.TASK_STATE_FAILED, 'cannot do that');
    } else if (asked.startsWith('ask') && request.task === undefined) {
      status(TaskState.TASK_STATE_INPUT_REQUIRED, 'Which date?');
    } else if (asked.startsWith('ask')) {
      const answer = parts.map((p) => ('text' in p ? p.text : JSON.stringify(p.data))).join(' ');
      artifact(text(`booked: ${answer}`));
      status(TaskState.TASK_STATE_COMPLETED);
    } else if (asked.startsWith('slow')) {
      // Answers while the task still works; it completes later, seen only by asking for the task.
      setTimeout(() => void this.#finishLater(request), 300);
    } else if (asked.startsWith('json')) {
      artifact({
        content: { $case: 'data', value: { verdict: 'ok' } },
        metadata: undefined,
        filename: '',
        mediaType: 'application/json',
      });
      status(TaskState.TASK_STATE_COMPLETED);
    } else {
      artifact(text(`echo: ${asked.split('\n')[0]}`));
      status(TaskState.TASK_STATE_COMPLETED);
    }
    bus.finished();
  }

  async #finishLater(request: RequestContext): Promise<void> {
    const task = await this.#tasks.load(request.taskId, request.context);
    if (!task) return;
    const artifact = {
      artifactId: randomUUID(),
      name: 'answer',
      description: '',
      parts: [text('finally done')],
      metadata: undefined,
      extensions: [],
    };
    const status = {
      state: TaskState.TASK_STATE_COMPLETED,
      message: undefined,
      timestamp: new Date().toISOString(),
    };
    await this.#tasks.save({ ...task, status, artifacts: [artifact] }, request.context);
  }

  #message(request: RequestContext, said: string): Message {
    return {
      messageId: randomUUID(),
      contextId: request.contextId,
      taskId: request.taskId,
      role: Role.ROLE_AGENT,
      parts: [text(said)],
      metadata: undefined,
      extensions: [],
      referenceTaskIds: [],
    };
  }

  async close(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }
}
