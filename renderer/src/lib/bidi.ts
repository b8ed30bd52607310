// Text from the person's files (tags, genre names, paths) may carry bidi controls: an RTL override in an
// album name would reverse the year printed beside it. Where such a value shares a line with other text
// and cannot be wrapped in <bdi> (option labels, tooltips, messages), it is wrapped in FSI … PDI instead.

/** The value as an isolate of its own (first strong character decides its direction). */
export function isolate(value: string): string {
  return `\u2068${value}\u2069`;
}
