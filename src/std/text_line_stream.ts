/**
 * A typed face for `@std/streams`' `TextLineStream` (the npm package `deno-std` ships it
 * without types): a `TransformStream` from text chunks to lines without their `\n`/`\r\n`.
 *
 * @example
 * ```ts
 * import { textLines } from "./text_line_stream.ts";
 * const lines = Deno.stdin.readable.pipeThrough(new TextDecoderStream()).pipeThrough(textLines());
 * ```
 * @module
 */
import { TextLineStream } from "@std/streams/text-line-stream";

/** Creates a stream that splits text into lines. */
export function textLines(): TransformStream<string, string> {
  return new TextLineStream() as TransformStream<string, string>;
}
