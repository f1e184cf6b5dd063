// Decrypts a compact JWE with jose and a PKCS#8 PEM private key (the
// encryption-key.pem `keydir credential new` writes). ECDH-ES with A256GCM
// only, so that jose checks what keydir claims to produce.
// usage: node decrypt-jwe.mjs KEY_PEM_FILE JWE
// Prints {"header": ..., "plaintext": ...}; exits 1 when jose refuses it.
import { readFileSync } from 'node:fs';
import { compactDecrypt, importPKCS8 } from 'jose';

const [keyFile, jwe] = process.argv.slice(2);
if (jwe === undefined) {
  console.error('usage: node decrypt-jwe.mjs KEY_PEM_FILE JWE');
  process.exit(2);
}
try {
  const key = await importPKCS8(readFileSync(keyFile, 'utf8'), 'ECDH-ES');
  const { plaintext, protectedHeader } = await compactDecrypt(jwe, key, {
    keyManagementAlgorithms: ['ECDH-ES'],
    contentEncryptionAlgorithms: ['A256GCM'],
  });
  process.stdout.write(
    JSON.stringify({ header: protectedHeader, plaintext: new TextDecoder().decode(plaintext) }) + '\n');
} catch (error) {
  console.error(`jose refused the JWE: ${error.message}`);
  process.exit(1);
}
