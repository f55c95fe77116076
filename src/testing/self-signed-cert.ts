import { spawn } from 'node:child_process';
import { chmod } from 'node:fs/promises';
import path from 'node:path';

/** A self-signed certificate for 127.0.0.1 (and localhost), valid two days, made with openssl. */
export async function makeCertificate(dir: string): Promise<{ cert: string; key: string }> {
  const cert = path.join(dir, 'cert.pem');
  const key = path.join(dir, 'key.pem');
  await new Promise<void>((resolve, reject) => {
    const args = ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=127.0.0.1'];
    args.push('-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert);
    const child = spawn('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`openssl failed: ${stderr.trim()}`)),
    );
  });
  await chmod(key, 0o600);
  return { cert, key };
}
