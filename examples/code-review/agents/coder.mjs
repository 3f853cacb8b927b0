// A command-line coder agent: reads { inputs: { code, comments } } as JSON on stdin and answers
// { code } with the first comment addressed (one fix per round, as a careful coder would).
const request = JSON.parse(await new Response(process.stdin).text());
let code = String(request.inputs?.code ?? '');
const [first] = request.inputs?.comments ?? [];
if (first?.includes('a + b')) code = code.replace(/return\s+a\s*-\s*b/, 'return a + b');
else if (first?.includes('not exported')) code = `export ${code}`;
process.stdout.write(JSON.stringify({ code }));
