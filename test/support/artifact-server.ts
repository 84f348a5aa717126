/**
 * A local release mirror for execution tests: real SOCI-shaped tarballs with
 * upstream-format `.sha256sum` files, served over HTTPS (self-signed cert for
 * IP SAN 127.0.0.1, made with openssl) or plain HTTP on 127.0.0.1 only.
 */
import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as http from 'http';
import * as https from 'https';
import { AddressInfo } from 'net';
import * as path from 'path';

export type Arch = 'amd64' | 'arm64';

export interface ReleaseArchive {
  readonly name: string;
  readonly bytes: Buffer;
  readonly sha256: string;
  /** The stub `soci-snapshotter-grpc` inside it. */
  readonly daemon: string;
  /** The stub `soci` inside it. */
  readonly cli: string;
}

export const sha256 = (data: Buffer | string): string => createHash('sha256').update(data).digest('hex');

/**
 * Builds `soci-snapshotter-<ver>-linux-<arch>.tar.gz` with the upstream layout (files at top level).
 * @param symlinks members stored as symbolic links to these targets instead of files, e.g.
 *   `{ soci: '/etc/shadow' }` for an archive a hostile mirror would serve
 */
export function buildReleaseArchive(
  workDir: string, version: string, arch: Arch, label = 'test stub', symlinks: Record<string, string> = {},
): ReleaseArchive {
  const name = `soci-snapshotter-${version}-linux-${arch}.tar.gz`;
  const src = fs.mkdtempSync(path.join(workDir, `src-${arch}-`));
  const daemon = `#!/bin/sh\necho "soci-snapshotter-grpc ${version} ${arch} (${label})"\n`;
  const cli = `#!/bin/sh\necho "soci ${version} ${arch} (test stub)"\n`;
  for (const [member, content] of [['soci-snapshotter-grpc', daemon], ['soci', cli]]) {
    const file = path.join(src, member);
    if (symlinks[member] !== undefined) fs.symlinkSync(symlinks[member], file);
    else fs.writeFileSync(file, content, { mode: 0o755 });
  }
  fs.writeFileSync(path.join(src, 'NOTICE.md'), 'SOCI snapshotter test fixture\n');
  fs.writeFileSync(path.join(src, 'THIRD_PARTY_LICENSES'), 'none\n');
  const out = path.join(workDir, name);
  execFileSync('tar', ['-C', src, '-czf', out, 'soci-snapshotter-grpc', 'soci', 'THIRD_PARTY_LICENSES', 'NOTICE.md']);
  const bytes = fs.readFileSync(out);
  return { name, bytes, sha256: sha256(bytes), daemon, cli };
}

/** The upstream checksum file: `sha256sum "$name" > "$name".sha256sum`. */
export function sha256sumFile(archive: { name: string; sha256: string }): string {
  return `${archive.sha256}  ${archive.name}\n`;
}

export interface TlsMaterial {
  readonly key: string;
  readonly cert: string;
  /** PEM file a client can trust (the self-signed cert itself). */
  readonly caFile: string;
}

/** A self-signed P-256 cert for IP SAN 127.0.0.1, valid one day. */
export function makeSelfSignedCert(workDir: string): TlsMaterial {
  const keyFile = path.join(workDir, 'server.key');
  const certFile = path.join(workDir, 'server.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1',
    '-keyout', keyFile, '-out', certFile], { stdio: 'pipe' });
  return { key: fs.readFileSync(keyFile, 'utf8'), cert: fs.readFileSync(certFile, 'utf8'), caFile: certFile };
}

export interface ArtifactServer {
  /** `https://127.0.0.1:<port>` or `http://...`. */
  readonly origin: string;
  /** URL paths requested, in order, with the status served (`200 /good/v0.15.0/x`). */
  readonly accessLog: string[];
  /** Path → body, or `{ redirect }` for a 302; add or change entries at any time. */
  readonly files: Map<string, Buffer | string | { redirect: string }>;
  close(): Promise<void>;
}

/** Serves `files` on 127.0.0.1; TLS when `tls` is given. Unknown paths get 404. */
export async function startArtifactServer(tls?: TlsMaterial): Promise<ArtifactServer> {
  const files = new Map<string, Buffer | string | { redirect: string }>();
  const accessLog: string[] = [];
  const handler: http.RequestListener = (req, res) => {
    const body = files.get(req.url ?? '');
    if (body !== undefined && typeof body === 'object' && 'redirect' in body) {
      accessLog.push(`302 ${req.url}`);
      res.writeHead(302, { location: body.redirect });
      res.end();
      return;
    }
    const status = body === undefined ? 404 : 200;
    accessLog.push(`${status} ${req.url}`);
    res.writeHead(status, { 'content-type': 'application/octet-stream' });
    res.end(body ?? 'not found\n');
  };
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `${tls ? 'https' : 'http'}://127.0.0.1:${port}`,
    accessLog,
    files,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A port on 127.0.0.1 that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
