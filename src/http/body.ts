import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from './json.js';

/**
 * The request body, up to maxBody bytes; past that (announced by
 * content-length or sent), answers 413 and returns undefined. The 413 is
 * delivered before the connection closes: the rest of the body is read
 * and thrown away for a short while, so the client sees the answer rather
 * than a reset.
 */
export async function readBody(req: IncomingMessage, res: ServerResponse, maxBody: number): Promise<Buffer | undefined> {
  const tooLarge = () => {
    res.setHeader('connection', 'close');
    sendJson(res, 413, { errors: [{ message: `request body larger than ${maxBody} bytes`, extensions: { code: 'BAD_REQUEST' } }] });
    // Drain (discarding) so the answer is read; the socket goes once the answer is out, or after 2 s.
    req.removeAllListeners('data');
    req.on('data', () => {});
    req.resume();
    setTimeout(() => req.socket.destroy(), 2_000).unref();
    res.once('finish', () => setTimeout(() => req.socket.destroy(), 50).unref());
    return undefined;
  };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBody) return tooLarge();
  // Events rather than for-await: leaving a for-await loop would destroy the socket before the 413 is out.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBody) return void chunks.push(chunk);
      chunks.length = 0;
      req.off('end', onEnd);
      req.off('error', onError);
      resolve(tooLarge());
    };
    const onEnd = () => resolve(Buffer.concat(chunks));
    const onError = (error: Error) => reject(error);
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('error', onError);
    req.once('aborted', () => reject(Object.assign(new Error('the client went away'), { code: 'ECONNRESET' })));
  });
}
