// A command-line reviewer agent: reads { prompt, inputs: { code } } as JSON on stdin and answers
// { verdict, comments, usage } on stdout. A stand-in for any CLI agent (weft.config.yaml: type command).
const request = JSON.parse(await new Response(process.stdin).text());
const code = String(request.inputs?.code ?? '');
const comments = [];
if (/return\s+a\s*-\s*b/.test(code)) comments.push('add() subtracts: it should return a + b');
if (!/^\s*export\s/.test(code)) comments.push('add() is not exported');
const verdict = comments.length === 0 ? 'approve' : 'changes';
const usage = { prompt_tokens: code.length, completion_tokens: 8 * comments.length + 4 };
process.stdout.write(
  JSON.stringify({
    verdict,
    comments,
    usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
  }),
);
