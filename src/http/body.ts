import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './json.js';

/** The request body, up to maxBody bytes; past that, answers 413 and returns undefined. */
export async function readBody(req: IncomingMessage, res: ServerResponse, maxBody: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBody) {
      sendJson(res, 413, { errors: [{ message: `request body larger than ${maxBody} bytes`, extensions: { code: 'BAD_REQUEST' } }] });
      req.destroy();
      return undefined;
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
