import { Worker } from 'node:worker_threads';

/**
 * XSD validation on a worker thread, so the event loop keeps serving while
 * libxml2 (WebAssembly) parses and validates an envelope. The worker only
 * answers "valid" or "not valid": the common case (valid) never touches the
 * main thread; for "not valid" the caller validates again on the main thread,
 * which produces the detailed, coded error exactly as before. If the worker
 * cannot answer (it failed to start or died), the answer is "not valid" too,
 * so validation falls back to the main thread and nothing goes unvalidated.
 *
 * Measured (`BENCH_ONLY=npd-soap-facade npm run bench`, 2 cores, same
 * session): 2,069 → 3,164 requests/s, and less CPU per request in total
 * (543 → 391 µs), libxml2 running beside the event loop instead of
 * interleaved with it. Full bench runs, where this machine drifts more, gave
 * 2,400–3,060 requests/s against 2,186 before.
 *
 * The worker's code is a string evaluated as CommonJS, not a module file: the
 * same code then runs under tsx (`npm start`), under jest and from dist/,
 * where a .ts worker file would need a loader that jest's workers lack. It
 * imports libxml2-wasm by the URL the main thread resolved.
 *
 * The worker checks validity as CompiledXsd.validate's fast path does
 * (src/xml/xsd.ts: libxml2's C API, one parser context and one validation
 * context per set, reused). A worker that cannot use that API fails at start:
 * validation then falls back to the main thread (below), and the failure is
 * logged and counted.
 */
const WORKER_CODE = `
const { parentPort, workerData } = require('node:worker_threads');
(async () => {
  const x = await import(workerData.libxml2);
  const raw = await import(workerData.libxml2raw);
  const files = new x.XmlBufferInputProvider({});
  x.xmlRegisterInputProvider(files);
  // As xsd.ts's fast path: contexts reused; an error (level 2) or fatal
  // error (3) makes the answer "not valid", warnings (1) do not.
  let failed = false;
  const onError = raw.addFunction((_i, err) => {
    if (raw.XmlErrorStruct.level(err) >= 2) failed = true;
  }, 'vii');
  const parser = raw.xmlNewParserCtxt();
  raw.xmlCtxtSetErrorHandler(parser, onError, 0);
  const sets = new Map();
  function valid(set, bytes) {
    const s = sets.get(set);
    if (!s) return false;
    failed = false;
    const doc = raw.xmlReadMemory(parser, bytes, null, null, workerData.option);
    if (!doc) return false;
    try {
      return !failed && raw.xmlSchemaValidateDoc(s.ctxt, doc) === 0 && !failed;
    } finally {
      raw.xmlFreeDoc(doc);
    }
  }
  parentPort.on('message', (m) => {
    if (m.drop) {
      const s = sets.get(m.drop);
      if (s) {
        raw.xmlSchemaFreeValidCtxt(s.ctxt);
        s.validator.dispose();
        sets.delete(m.drop);
      }
      return;
    }
    if (m.compile) {
      for (const [name, bytes] of Object.entries(m.files)) files.addBuffer(m.base + name, bytes);
      const doc = x.XmlDocument.fromBuffer(m.files[m.main], { url: m.base + m.main, option: workerData.option });
      try {
        const validator = x.XsdValidator.fromDoc(doc);
        const ctxt = raw.xmlSchemaNewValidCtxt(validator._ptr);
        raw.xmlSchemaSetValidStructuredErrors(ctxt, onError, 0);
        sets.set(m.set, { validator, ctxt });
      } finally {
        doc.dispose();
        for (const name of Object.keys(m.files)) files.removeBuffer(m.base + name);
      }
      return;
    }
    // A batch: m.batch is [set, id, length, ...], the documents one after the
    // other in m.bytes; one answer (id * 2 + valid) per document, all in one message.
    const answers = [];
    for (let i = 0, at = 0; i < m.batch.length; i += 3) {
      const end = at + m.batch[i + 2];
      let ok = false;
      try { ok = valid(m.batch[i], m.bytes.subarray(at, end)); } catch {}
      at = end;
      answers.push(m.batch[i + 1] * 2 + (ok ? 1 : 0));
    }
    parentPort.postMessage(answers);
  });
})();
`;

interface SchemaSet {
  main: string;
  files: Record<string, Uint8Array>;
}

/** Every set compiled so far, so a replacement worker can compile them again. */
const sets = new Map<number, SchemaSet>();
const pending = new Map<number, (valid: boolean) => void>();
let worker: Worker | undefined;
let parseOption = 0;
let nextId = 1;
let nextSet = 1;
const MAX_WORKER_FAILURES = 5;
const counters = { offloaded: 0, valid: 0, workerFailures: 0 };

function compileMessage(set: number, s: SchemaSet) {
  return { compile: true, set, main: s.main, base: `lienthong-xsd-w:/${set}/`, files: s.files };
}

/** Told when the worker fails (the gateway logs it); the validation itself falls back. */
let onFailure: ((err: unknown) => void) | undefined;
export function onXsdWorkerFailure(fn: ((err: unknown) => void) | undefined): void {
  onFailure = fn;
}

function workerFailed(err: unknown): void {
  counters.workerFailures++;
  try {
    onFailure?.(err);
  } catch {
    // a logging problem must not change what validation does
  }
  worker = undefined;
  // Unanswered questions fall back to the main thread.
  for (const resolve of pending.values()) resolve(false);
  pending.clear();
}

function current(): Worker {
  if (worker) return worker;
  const w = new Worker(WORKER_CODE, {
    eval: true,
    workerData: {
      libxml2: import.meta.resolve('libxml2-wasm'),
      libxml2raw: import.meta.resolve('libxml2-wasm/lib/libxml2.mjs'),
      option: parseOption,
    },
  });
  // Never the reason a process stays alive; the gateway's close does not wait for it.
  w.unref();
  w.on('message', (answers: number[]) => {
    for (const n of answers) {
      const id = Math.floor(n / 2);
      const resolve = pending.get(id);
      pending.delete(id);
      if (resolve) {
        if (n % 2 === 1) counters.valid++;
        resolve(n % 2 === 1);
      }
    }
  });
  w.on('error', (err) => {
    if (worker === w) workerFailed(err);
  });
  w.on('exit', (code) => {
    if (worker === w) workerFailed(new Error(`XSD worker exited with code ${code}`));
  });
  for (const [id, s] of sets) w.postMessage(compileMessage(id, s));
  worker = w;
  return w;
}

/** Hands a schema set to the worker; returns the handle `validOffThread` takes. */
export function offloadSchemaSet(main: string, files: Map<string, Uint8Array>, option: number) {
  parseOption = option;
  const id = nextSet++;
  const s: SchemaSet = { main, files: Object.fromEntries(files) };
  sets.set(id, s);
  if (worker) worker.postMessage(compileMessage(id, s));
  return id;
}

/** Forgets a set; the worker stops when no set is left (a gateway's close). */
export function dropSchemaSet(id: number): void {
  if (!sets.delete(id)) return;
  const w = worker;
  if (!w) return;
  if (sets.size > 0) {
    w.postMessage({ drop: id });
    return;
  }
  worker = undefined; // not a failure: nothing is left to validate
  for (const resolve of pending.values()) resolve(false);
  pending.clear();
  void w.terminate();
}

/** True when the worker found `xml` valid; false for invalid or no answer (validate on the main thread then). */
export function validOffThread(set: number, xml: Uint8Array): Promise<boolean> {
  // A worker that keeps failing (it cannot even start, say) is not restarted forever.
  if (counters.workerFailures >= MAX_WORKER_FAILURES) return Promise.resolve(false);
  const w = current();
  const id = nextId++;
  counters.offloaded++;
  return new Promise((resolve) => {
    pending.set(id, resolve);
    // Questions asked during one turn of the event loop go over together: a
    // message costs a thread wake-up both ways, and under load many exchanges
    // reach validation in the same turn.
    if (batch.length === 0) setImmediate(flush, w);
    batch.push(set, id, xml.byteLength);
    docs.push(xml);
    bytes += xml.byteLength;
  });
}

/** This turn's questions: [set, id, length, ...] and the documents themselves. */
let batch: number[] = [];
let docs: Uint8Array[] = [];
let bytes = 0;

function flush(w: Worker): void {
  const b = batch;
  const d = docs;
  const size = bytes;
  batch = [];
  docs = [];
  bytes = 0;
  if (worker !== w) {
    // The worker went away since: these fall back to the main thread.
    for (let i = 1; i < b.length; i += 3) {
      pending.get(b[i])?.(false);
      pending.delete(b[i]);
    }
    return;
  }
  // The documents go over as one buffer, copied once and moved (transferred),
  // not cloned: posting a Buffer clones its whole backing store (for a slice of
  // a socket read or of Node's pool, many KB), and each transferred buffer
  // costs the message more than copying a few KB does.
  const all = new Uint8Array(size);
  let at = 0;
  for (const doc of d) {
    all.set(doc, at);
    at += doc.byteLength;
  }
  w.postMessage({ batch: b, bytes: all }, [all.buffer]);
}

/** For /metrics-style inspection and tests: how many validations went to the worker. */
export function xsdOffloadStats(): Readonly<typeof counters> & { running: boolean } {
  return { ...counters, running: worker !== undefined };
}

/** Stops the worker (tests; the next validation starts a new one). */
export async function stopXsdWorker(): Promise<void> {
  const w = worker;
  if (w) await w.terminate();
}
