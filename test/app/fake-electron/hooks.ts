// Module resolution hook: 'electron' → the fake Electron module (test only).
interface ResolveResult { url: string; shortCircuit?: boolean; format?: string | null }
type NextResolve = (specifier: string, context: unknown) => Promise<ResolveResult>;

export async function resolve(specifier: string, context: unknown, next: NextResolve): Promise<ResolveResult> {
  if (specifier === 'electron') return { url: new URL('./electron.js', import.meta.url).href, shortCircuit: true, format: 'module' };
  return next(specifier, context);
}
