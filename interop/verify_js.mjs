// Verifies a Sigstore bundle with sigstore-js (@sigstore/verify), independently of this project.
// usage: node verify_js.mjs NODE_PREFIX TRUSTED_ROOT BUNDLE ARTIFACT IDENTITY ISSUER
// NODE_PREFIX is the directory given to `npm install --prefix`; exits 0 only if the bundle
// verifies for the identity and issuer.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const [prefix, trustedRootPath, bundlePath, artifactPath, identity, issuer] = process.argv.slice(2);
if (!issuer) {
  console.error('usage: node verify_js.mjs NODE_PREFIX TRUSTED_ROOT BUNDLE ARTIFACT IDENTITY ISSUER');
  process.exit(2);
}
const require = createRequire(resolve(prefix, 'package.json'));
const { toSignedEntity, toTrustMaterial, Verifier } = require('@sigstore/verify');
const { bundleFromJSON } = require('@sigstore/bundle');
const { TrustedRoot } = require('@sigstore/protobuf-specs');

try {
  const trustedRoot = TrustedRoot.fromJSON(JSON.parse(readFileSync(trustedRootPath, 'utf8')));
  const bundle = bundleFromJSON(JSON.parse(readFileSync(bundlePath, 'utf8')));
  const entity = toSignedEntity(bundle, readFileSync(artifactPath));
  const verifier = new Verifier(toTrustMaterial(trustedRoot));
  const signer = verifier.verify(entity, {
    subjectAlternativeName: identity,
    extensions: { issuer },
  });
  const san = signer.identity?.subjectAlternativeName;
  if (san !== identity) {
    throw new Error(`verified, but the signer is ${JSON.stringify(san)}, not ${JSON.stringify(identity)}`);
  }
  console.log(`OK: ${artifactPath} (${bundle.mediaType}, signer ${san})`);
} catch (e) {
  console.error(`FAIL: ${artifactPath}: ${e?.code ? e.code + ': ' : ''}${e?.message ?? e}`);
  process.exit(1);
}
