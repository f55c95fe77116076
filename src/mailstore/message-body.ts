/**
 * A message's bytes as the chunks they arrived in: passed from the source socket to the target
 * socket (and to the hash) without ever being joined, so no message is copied in memory.
 */
export type MessageBody = readonly Buffer[];

/** Total bytes of a body. */
export function bodyLength(body: MessageBody): number {
  let n = 0;
  for (const chunk of body) n += chunk.length;
  return n;
}
