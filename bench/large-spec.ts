// A large valid spec for timing the front end and the language server.

/** A valid spec of about `lines` lines: the reference plus a long preprocessing list. */
export function largeSpec(lines: number): string {
  const ops: string[] = ['      crop center 565 x 565', '      grayscale green'];
  while (ops.length < lines - 12) ops.push(ops.length % 2 ? '      gamma 1.01  // a comment on each line' : '      clahe tiles 8 x 8, clip 2');
  return `experiment large {\n  data {\n    dataset drive("data/DRIVE")\n    preprocess {\n${ops.join('\n')}\n    }\n    patches 48 x 48\n  }\n  model r2unet { depth 3 }\n  train { batch 32 }\n}\n`;
}
