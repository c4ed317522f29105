import fc from 'fast-check';

/** Markup bytes that break or bend XML most often, plus a letter and a space. */
const HOSTILE = [
  0x3c, 0x3e, 0x2f, 0x26, 0x22, 0x3d, 0x00, 0xff, 0xc3, 0x20, 0x0a, 0x41, 0x2d, 0x21,
];

/** Copies of `base` with up to `max` bytes overwritten by hostile ones. */
export function mutationsOf(base: Buffer, max: number): fc.Arbitrary<Buffer> {
  return fc
    .array(fc.tuple(fc.nat(base.length - 1), fc.constantFrom(...HOSTILE)), {
      minLength: 1,
      maxLength: max,
    })
    .map((edits) => {
      const b = Buffer.from(base);
      for (const [at, v] of edits) b[at] = v;
      return b;
    });
}
