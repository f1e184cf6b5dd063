// Verifies a CPS advertisement's signature with jose, independently of
// keydir: ES256 only, with the key of the x5c leaf. (Chain trust is not
// jose's to judge; keydir's own tests cover it.)
// usage: node verify-advertisement.mjs JWS
// Prints {"header": ..., "payload": ...}; exits 1 when jose refuses it.
import { compactVerify, importX509 } from 'jose';

const jws = process.argv[2];
if (!jws) {
  console.error('usage: node verify-advertisement.mjs JWS');
  process.exit(2);
}
const leafKey = async (header) => {
  if (!Array.isArray(header.x5c) || header.x5c.length === 0) throw new Error('no x5c');
  const pem = `-----BEGIN CERTIFICATE-----\n${header.x5c[0]}\n-----END CERTIFICATE-----\n`;
  return importX509(pem, 'ES256');
};
try {
  const { payload, protectedHeader } = await compactVerify(jws, leafKey, { algorithms: ['ES256'] });
  if (protectedHeader.typ !== 'cps-ad') throw new Error(`typ is ${protectedHeader.typ}`);
  const text = new TextDecoder().decode(payload);
  process.stdout.write(JSON.stringify({ header: protectedHeader, payload: JSON.parse(text) }) + '\n');
} catch (error) {
  console.error(`jose refused the advertisement: ${error.message}`);
  process.exit(1);
}
