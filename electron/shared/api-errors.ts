// The errors of the app API: every failure crossing a process boundary is one of these codes with a message
// a person can read. Without zod, so that the engine's services (and the CLI that uses them) need not load it.

export const API_ERROR_CODES = ['not-available', 'invalid-input', 'not-found', 'conflict', 'unauthorized', 'forbidden', 'internal'] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export class SpectagApiError extends Error {
  constructor(readonly code: ApiErrorCode, message: string) {
    super(message);
    this.name = 'SpectagApiError';
  }
}

export interface ApiErrorPayload {
  code: ApiErrorCode;
  message: string;
}
