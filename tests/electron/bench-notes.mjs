// The notes the Electron benchmarks send, `probe:save` payloads: a small
// one and one of about 48 KB (bench.mjs, bench-builds.mjs).
export const benchNotes = {
  small: { title: 'Groceries', body: 'milk, eggs, bread, coffee'.repeat(8), tags: ['home', 'weekly', 'food'] },
  large: { title: 'Report', body: 'lorem ipsum dolor sit amet '.repeat(1800), tags: Array.from({ length: 20 }, (_, i) => `tag-${i}`) },
}
