// Latency of a waiting POST /api/v1/process against a running Chorus, per mode:
// `node bench/post-latency.ts [base-url] [runs] [chars]`, with the key in CHORUS_API_KEY
// when the gateway requires one. Prints median, p90 and max.
const apiKey = process.env.CHORUS_API_KEY;
const base = process.argv[2] ?? "http://127.0.0.1:8000";
const runs = Number(process.argv[3] ?? 20);
const chars = Number(process.argv[4] ?? 2000);

const SENTENCES = [
  "Apple Inc. announced on Tuesday that Tim Cook will open a research campus in Austin, Texas.",
  "The project will cost $1.2 billion and employ 3,000 engineers by March 2027.",
  "Local officials welcomed the decision, calling it a great day for the city.",
  "Critics warned that rising housing costs could hurt long-time residents.",
  "Analysts at Morgan Stanley expect the campus to strengthen the company in machine learning.",
  "Construction is scheduled to begin next spring, pending approval from the city council.",
];

function textOf(length: number): string {
  let text = "";
  for (let i = 0; text.length < length; i++) text += `${SENTENCES[i % SENTENCES.length]} `;
  return text.slice(0, length).replace(/\s+\S*$/, ".");
}

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

const text = textOf(chars);
for (const mode of ["parallel", "sequential"] as const) {
  const times: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const started = performance.now();
    const res = await fetch(`${base}/api/v1/process`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}) },
      body: JSON.stringify({ text, orchestration_mode: mode }),
    });
    const body = (await res.json()) as { status?: string };
    const ms = performance.now() - started;
    if (res.status !== 200 || body.status !== "completed") throw new Error(`${mode}: HTTP ${res.status} status ${body.status}`);
    if (i >= 2) times.push(ms); // the first two warm up the agents' models and connections
  }
  times.sort((a, b) => a - b);
  console.log(
    `${mode.padEnd(10)} ${text.length} chars, ${runs} runs: median ${quantile(times, 0.5).toFixed(1)} ms, p90 ${quantile(times, 0.9).toFixed(1)} ms, max ${times.at(-1)?.toFixed(1)} ms`,
  );
}
