import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Test-only certificates, made when the tests run with the openssl CLI
 * (node:crypto makes keys but not X.509 certificates). No real identity: the
 * names say what they are.
 */

export interface TestPki {
  dir: string;
  caCert: string;
  signerKey: string;
  signerCert: string;
  ecKey: string;
  ecCert: string;
  /** Self-signed, issued by nobody we trust. */
  strangerKey: string;
  strangerCert: string;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

let cached: TestPki | undefined;

export function testPki(): TestPki {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), 'lt-edxml-pki-'));
  const subj = (cn: string) => `/C=VN/O=lienthong test fixtures/CN=${cn}`;
  /** A self-signed RSA certificate: the CA, or a stranger nobody trusts. */
  const selfSigned = (name: string, cn: string) =>
    openssl(
      dir,
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`].concat([
        '-out',
        `${name}.pem`,
        '-days',
        '2',
        '-subj',
        subj(cn),
      ]),
    );
  selfSigned('ca', 'Test CA (not real)');
  writeFileSync(
    join(dir, 'ext.cnf'),
    'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature,nonRepudiation\n',
  );
  const issue = (name: string, keyArgs: string[]) => {
    openssl(dir, [
      'req',
      '-new',
      ...keyArgs,
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      subj(`Test signer ${name} (not real)`),
    ]);
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-extfile',
      'ext.cnf',
    ]);
  };
  issue('rsa', ['-newkey', 'rsa:2048']);
  issue('ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  selfSigned('stranger', 'Stranger (not real)');
  const r = (f: string) => readFileSync(join(dir, f), 'utf8');
  cached = {
    dir,
    caCert: r('ca.pem'),
    signerKey: r('rsa.key'),
    signerCert: r('rsa.pem'),
    ecKey: r('ec.key'),
    ecCert: r('ec.pem'),
    strangerKey: r('stranger.key'),
    strangerCert: r('stranger.pem'),
  };
  return cached;
}
