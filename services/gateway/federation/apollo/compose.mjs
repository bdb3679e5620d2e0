// The reference composer (@apollo/composition), for the differential suite and `make supergraph`.
//
//   node compose.mjs < subgraphs.json > supergraph.graphql
//
// stdin: [{"name": ..., "url": ..., "sdl": ...}, ...]. Exit 1 with the composition errors on stderr.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'graphql';
import { composeServices } from '@apollo/composition';

export function compose(subgraphs) {
  const result = composeServices(subgraphs.map(({ name, url, sdl }) => ({ name, url, typeDefs: parse(sdl) })));
  if (result.errors?.length) {
    return { errors: result.errors.map((e) => e.message) };
  }
  return { supergraph: result.supergraphSdl, hints: (result.hints ?? []).map((h) => h.toString()) };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const result = compose(JSON.parse(readFileSync(0, 'utf8')));
  if (result.errors) {
    console.error(result.errors.join('\n'));
    process.exit(1);
  }
  process.stdout.write(result.supergraph);
}
