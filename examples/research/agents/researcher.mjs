// A command-line research agent with one angle (its first argument): reads { prompt, inputs } as
// JSON on stdin and answers { angle, finding, confidence, usage } on stdout.
const angle = process.argv[2] ?? 'general';
const request = JSON.parse(await new Response(process.stdin).text());
const topic = String(request.inputs?.topic ?? 'the topic');
const notes = {
  history: `${topic} grew out of batch job schedulers and message queues`,
  economics: `${topic} pays off once retries and partial failures cost more than the engine`,
  technology: `${topic} keeps every step's result in a store so a restart replays instead of redoing`,
};
const finding = notes[angle] ?? `${topic}: nothing specific about ${angle}`;
const usage = { prompt_tokens: 20, completion_tokens: finding.split(' ').length };
process.stdout.write(
  JSON.stringify({
    angle,
    finding,
    confidence: angle in notes ? 0.8 : 0.2,
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  }),
);
