// The notes the Electron benchmarks send, `probe:save` payloads: a small
// one, one of about 8 KB (below the size from which messages cross as
// bytes) and one of about 48 KB (bench.mjs, bench-builds.mjs).
export const benchNotes = {
  small: { title: 'Groceries', body: 'milk, eggs, bread, coffee'.repeat(8), tags: ['home', 'weekly', 'food'] },
  medium: { title: 'Minutes', body: 'lorem ipsum dolor sit amet '.repeat(300), tags: ['work', 'weekly'] },
  large: { title: 'Report', body: 'lorem ipsum dolor sit amet '.repeat(1800), tags: Array.from({ length: 20 }, (_, i) => `tag-${i}`) },
}
