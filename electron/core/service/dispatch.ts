// One call across a process boundary: validate the argument with the method's zod schema, then call the
// engine. Used by the HTTP server (web mode) and by the engine host in Electron's utility process.
import { isApiMethod, parseInput, SpectagApiError, toErrorPayload, type ApiMethod, type CallOutcome, type SpectagApi } from '../../shared/api.js';

export async function dispatchCall(api: SpectagApi, method: unknown, input: unknown): Promise<CallOutcome> {
  try {
    if (!isApiMethod(method)) throw new SpectagApiError('invalid-input', `unknown method ${JSON.stringify(String(method)).slice(0, 80)}`);
    const arg = parseInput(method, input);
    const fn = api[method as ApiMethod] as (a: unknown) => Promise<unknown>;
    const result = await fn.call(api, arg);
    return { ok: true, result: result === undefined ? null : result };
  } catch (err) {
    return { ok: false, error: toErrorPayload(err) };
  }
}
