// Signs a CPS advertisement with jose, independently of keydir.
// usage: node sign-advertisement.mjs KEY.pem CHAIN.pem PAYLOAD_JSON
// Prints the compact JWS. x5c comes from CHAIN (leaf first), iat is now.
import { readFileSync } from 'node:fs';
import { CompactSign, importPKCS8 } from 'jose';

const [keyFile, chainFile, payload] = process.argv.slice(2);
if (!payload) {
  console.error('usage: node sign-advertisement.mjs KEY.pem CHAIN.pem PAYLOAD_JSON');
  process.exit(2);
}
const x5c = [...readFileSync(chainFile, 'utf8').matchAll(
    /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)]
    .map((match) => match[1].replace(/\s+/g, ''));
const key = await importPKCS8(readFileSync(keyFile, 'utf8'), 'ES256');
const jws = await new CompactSign(new TextEncoder().encode(payload))
    .setProtectedHeader({ alg: 'ES256', typ: 'cps-ad', x5c, iat: Math.floor(Date.now() / 1000) })
    .sign(key);
process.stdout.write(jws + '\n');
