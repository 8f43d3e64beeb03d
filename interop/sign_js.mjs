// Signs a file with sigstore-js (the `sigstore` npm package) against explicit service URLs.
// usage: node sign_js.mjs NODE_PREFIX SIGNING_CONFIG TOKEN_FILE ARTIFACT OUT_BUNDLE
// Takes Fulcio, Rekor v1 and TSA from a signing config (v0.2) and writes a v0.3 bundle.
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';

const [prefix, signingConfigPath, tokenPath, artifactPath, outPath] = process.argv.slice(2);
if (!outPath) {
  console.error('usage: node sign_js.mjs NODE_PREFIX SIGNING_CONFIG TOKEN_FILE ARTIFACT OUT_BUNDLE');
  process.exit(2);
}
const require = createRequire(resolve(prefix, 'package.json'));
const sigstore = require('sigstore');

const config = JSON.parse(readFileSync(signingConfigPath, 'utf8'));
const first = (list, major) => {
  const service = (list ?? []).find((s) => s.majorApiVersion === major);
  if (!service) throw new Error(`signing config has no service with major API version ${major}`);
  return service.url;
};
try {
  const bundle = await sigstore.sign(readFileSync(artifactPath), {
    fulcioURL: first(config.caUrls, 1),
    rekorURL: first(config.rekorTlogUrls, 1),
    tsaServerURL: first(config.tsaUrls, 1).replace(/\/api\/v1\/timestamp$/, ''),
    identityToken: readFileSync(tokenPath, 'utf8').trim(),
    retry: 0,
    timeout: 10000,
  });
  writeFileSync(outPath, JSON.stringify(bundle));
  console.log(`signed ${artifactPath} -> ${outPath} (${bundle.mediaType})`);
} catch (e) {
  console.error(`FAIL: ${artifactPath}: ${e?.code ? e.code + ': ' : ''}${e?.message ?? e}`);
  if (e?.cause) console.error(`  caused by: ${e.cause.message ?? e.cause}`);
  process.exit(1);
}
