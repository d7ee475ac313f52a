/**
 * JSON text from W&B placed in a response as it came, instead of parsed
 * into objects and printed again: a JSON scalar's value may be a RawJson.
 * Apollo prints the response with JSON.stringify, which cannot embed text,
 * so a RawJson prints as a marker string (a per-process random nonce and
 * an index into the request's sink) and the HTTP layer replaces each
 * marker with its text. Only texts that parsed as JSON objects are kept
 * raw. Requests without a sink (subscriptions) get parsed values.
 */
import { randomBytes } from 'node:crypto';

const nonce = randomBytes(8).toString('hex');
// JSON.stringify prints U+0000 as the six characters \u0000: a marker prints as "\u0000<nonce><index>".
const prefix = `"\\u0000${nonce}`;

/** The raw texts of one response, in the order they were printed. */
export type RawJsonSink = string[];

export class RawJson {
  constructor(
    private readonly sink: RawJsonSink,
    readonly text: string,
  ) {}

  toJSON(): string {
    this.sink.push(this.text);
    return `\u0000${nonce}${this.sink.length - 1}`;
  }
}

/** The value to return for a JSON object W&B sent as `text` (already parsed as `parsed`). */
export function rawOr(sink: RawJsonSink | undefined, text: string, parsed: unknown): unknown {
  return sink ? new RawJson(sink, text) : parsed;
}

/** The printed response with every marker replaced by its text. */
export function spliceRaw(body: string, sink: RawJsonSink | undefined): string {
  if (!sink || sink.length === 0) return body;
  const parts: string[] = [];
  let from = 0;
  for (let at = body.indexOf(prefix); at >= 0; at = body.indexOf(prefix, from)) {
    const end = body.indexOf('"', at + prefix.length);
    const text = end < 0 ? undefined : sink[Number(body.slice(at + prefix.length, end))];
    if (text === undefined) {
      // Not one of ours (cannot happen without the nonce): left as it is.
      parts.push(body.slice(from, at + prefix.length));
      from = at + prefix.length;
      continue;
    }
    parts.push(body.slice(from, at), text);
    from = end + 1;
  }
  parts.push(body.slice(from));
  return parts.join('');
}
