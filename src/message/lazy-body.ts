import type { Message } from './message.js';

/**
 * A message whose body is read from its bytes only when a stage asks for it
 * (then once), and which a stage may still replace. For replies forwarded as
 * bytes: a pass-through SOAP reply that nothing reads is never parsed.
 * `read` throws the coded error of an unreadable body, at the first read.
 */
export function withLazyBody(msg: Omit<Message, 'body'>, read: () => unknown): Message {
  let body: unknown;
  let done = false;
  return {
    ...msg,
    get body() {
      if (!done) {
        body = read();
        done = true;
      }
      return body;
    },
    set body(v: unknown) {
      body = v;
      done = true;
    },
  };
}
