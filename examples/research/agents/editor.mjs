// A command-line editor agent: reads the researchers' findings ({ inputs: { findings } }) as JSON
// on stdin and answers { summary, sources } on stdout, the most confident finding first.
const request = JSON.parse(await new Response(process.stdin).text());
const findings = Object.values(request.inputs?.findings ?? {}).sort(
  (a, b) => b.confidence - a.confidence || a.angle.localeCompare(b.angle),
);
process.stdout.write(
  JSON.stringify({
    summary: findings.map((f) => `${f.angle}: ${f.finding}.`).join(' '),
    sources: findings.map((f) => f.angle),
  }),
);
