// Load a Chrome trace-event JSON file with the DevTools trace engine
// (@paulirish/trace_engine) headless, and print what it built:
//   threads N      tracks of the CPUs process
//   slices N       complete (X) events it placed on them
//   nested N       slices it had to nest under another (overlaps): 0 expected
//   instants N     instant events on the tracks
// Usage: node trace_check.mjs ENGINE_DIR TRACE.json
import fs from 'node:fs';
const [engine, file] = process.argv.slice(2);
const { analyzeEvents } = await import(engine + '/analyze-trace.mjs');
const json = JSON.parse(fs.readFileSync(file, 'utf8'));
const { parsedTrace } = await analyzeEvents(json.traceEvents);
const r = parsedTrace.data.Renderer;
let threads = 0, slices = 0, nested = 0, instants = 0;
for (const [, p] of r.processes) {
	for (const [, t] of p.threads) {
		threads++;
		for (const e of t.entries) {
			if (e.ph === 'X') {
				slices++;
				const n = r.entryToNode.get(e);
				if (n && n.parent && n.parent.entry && n.parent.entry.ph === 'X')
					nested++;
			} else if (e.ph === 'i' || e.ph === 'I') {
				instants++;
			}
		}
	}
}
console.log(`threads ${threads}\nslices ${slices}\nnested ${nested}\ninstants ${instants}`);
