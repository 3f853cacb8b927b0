import type { AnyWeftEvent, Engine } from '@weft/core';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { StepSkills } from './step-skills.js';

/** Counts read from the store on each scrape go this far at most. */
const SCRAPE_LIMIT = 10_000;
const BREAKER_VALUE: Record<string, number> = { closed: 0, half_open: 0.5, open: 1 };

const STEP_BUCKETS = [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 1800];
const HTTP_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/** Prometheus metrics of one server: runs and steps (from the engine's events) and HTTP requests. */
export class WeftMetrics {
  readonly registry = new Registry();
  readonly #runs = new Counter({
    name: 'weft_runs_total',
    help: 'Runs by workflow and what happened to them (started, resumed, completed, failed, cancelled)',
    labelNames: ['workflow', 'event'] as const,
    registers: [this.registry],
  });
  readonly #steps = new Histogram({
    name: 'weft_step_duration_seconds',
    help: 'Duration of step attempts by step type, skill and outcome',
    labelNames: ['type', 'skill', 'outcome'] as const,
    buckets: STEP_BUCKETS,
    registers: [this.registry],
  });
  readonly #retries = new Counter({
    name: 'weft_step_retries_total',
    help: 'Step attempts that failed and will be retried, by step type and skill',
    labelNames: ['type', 'skill'] as const,
    registers: [this.registry],
  });
  readonly #http = new Histogram({
    name: 'weft_http_request_duration_seconds',
    help: 'HTTP requests by method, route and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });

  readonly #running = new Gauge({
    name: 'weft_running_steps',
    help: 'Step attempts executing in this process now',
    registers: [this.registry],
  });
  readonly #cacheHits = new Counter({
    name: 'weft_cache_hits_total',
    help: 'Step calls answered from the cache, by step type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });
  readonly #cacheMisses = new Counter({
    name: 'weft_cache_misses_total',
    help: 'Step calls with `cache` whose result was not cached (the call ran), by step type',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  constructor(options: { processMetrics?: boolean } = {}) {
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: 'weft_' });
  }

  /** Counts the engine's events from now on, and reads queue, DLQ and breakers at each scrape. */
  follow(engine: Engine): () => void {
    const skills = new StepSkills(engine.store);
    this.#scraped(engine);
    return engine.on('*', (event) => this.#onEvent(event, skills));
  }

  /** Gauges whose value lives in the store: read when Prometheus scrapes, never on the hot path. */
  #scraped(engine: Engine): void {
    new Gauge({
      name: 'weft_queued_runs',
      help: 'Runs waiting to start (pending), across every process on the store',
      registers: [this.registry],
      async collect() {
        this.set((await engine.store.listRuns({ status: 'pending', limit: SCRAPE_LIMIT })).length);
      },
    });
    new Gauge({
      name: 'weft_dead_letters',
      help: 'Entries in the dead-letter queue',
      registers: [this.registry],
      async collect() {
        this.set((await engine.dlq.list({ limit: SCRAPE_LIMIT })).length);
      },
    });
    new Gauge({
      name: 'weft_breaker_state',
      help: 'Circuit breakers by target: 0 closed, 0.5 half-open, 1 open',
      labelNames: ['target'] as const,
      registers: [this.registry],
      async collect() {
        this.reset();
        for (const state of await engine.breakers.list()) {
          this.set({ target: state.target }, BREAKER_VALUE[state.status] ?? 0);
        }
      },
    });
  }

  observeRequest(method: string, route: string, statusCode: number, seconds: number): void {
    this.#http.observe({ method, route, status_code: String(statusCode) }, seconds);
  }

  #onEvent(event: AnyWeftEvent, skills: StepSkills): void {
    switch (event.type) {
      case 'run.started':
        this.#runs.inc({ workflow: event.workflow, event: event.data.resumed ? 'resumed' : 'started' });
        return;
      case 'run.completed':
      case 'run.failed':
      case 'run.cancelled':
        this.#runs.inc({ workflow: event.workflow, event: event.type.slice(4) });
        return;
      case 'step.started':
        this.#running.inc();
        return;
      case 'step.cache_hit':
        this.#cacheHits.inc({ type: event.data.type });
        return;
      case 'step.cache_miss':
        this.#cacheMisses.inc({ type: event.data.type });
        return;
      case 'step.completed':
      case 'step.failed': {
        this.#running.dec();
        const { type, stepId, durationMs } = event.data;
        const outcome = event.type.slice(5);
        this.#withSkill(skills, event.runId, stepId, type, (skill) =>
          this.#steps.observe({ type, skill, outcome }, durationMs / 1000),
        );
        return;
      }
      case 'step.retrying':
        this.#withSkill(skills, event.runId, event.data.stepId, event.data.type, (skill) =>
          this.#retries.inc({ type: event.data.type, skill }),
        );
        return;
      default:
        return;
    }
  }

  #withSkill(
    skills: StepSkills,
    runId: string,
    stepId: string,
    type: string,
    record: (skill: string) => void,
  ): void {
    if (type === 'skill') void skills.skillOf(runId, stepId).then(record, () => record('unknown'));
    else record('');
  }
}
