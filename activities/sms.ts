import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';

/** One SMS to send: its numbers, its text, and the key that makes a resend recognisable (the delivery id). */
export interface SmsMessage {
  to: string[];
  text: string;
  idempotencyKey: string;
}

/**
 * What an SMS gateway does for notice delivery: send one message or throw. A real gateway (an operator's
 * or a cloud SMS service) implements this and is handed to the worker; the local driver writes a file.
 */
export interface SmsGateway {
  send(message: SmsMessage): Promise<void>;
}

/**
 * The local driver: appends each message as one JSON line (`{ at, idempotencyKey, to, text }`) to a file,
 * creating its directory. For development and tests; nothing leaves the machine.
 */
export function fileSmsGateway(file: string): SmsGateway {
  return {
    async send(message) {
      await mkdir(dirname(file), { recursive: true });
      await appendFile(file, `${JSON.stringify({ at: new Date().toISOString(), ...message })}\n`, 'utf8');
    },
  };
}
