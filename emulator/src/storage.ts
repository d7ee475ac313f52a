import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed file URLs, as W&B hands out signed bucket URLs: whoever holds one
 * may PUT (upload) or GET (download) that file without an API key, and
 * nobody can forge one for another file.
 */
export interface UrlSigner {
  uploadUrl(baseUrl: string, fileId: number): string;
  downloadUrl(baseUrl: string, fileId: number, name: string): string;
  /** Where an artifact version's manifest JSON downloads from. */
  manifestUrl(baseUrl: string, artifactId: number): string;
  verify(purpose: 'put' | 'get' | 'manifest', id: number, signature: string): boolean;
}

/** A signer keyed by the database's secret. */
export function createUrlSigner(secret: string): UrlSigner {
  const sign = (purpose: string, fileId: number) => createHmac('sha256', secret).update(`${purpose}:${fileId}`).digest('hex').slice(0, 40);
  return {
    uploadUrl: (baseUrl, fileId) => `${baseUrl}/storage/upload/${fileId}?sig=${sign('put', fileId)}`,
    downloadUrl: (baseUrl, fileId, name) =>
      `${baseUrl}/storage/files/${fileId}/${name.split('/').map(encodeURIComponent).join('/')}?sig=${sign('get', fileId)}`,
    manifestUrl: (baseUrl, artifactId) => `${baseUrl}/storage/manifests/${artifactId}/wandb_manifest.json?sig=${sign('manifest', artifactId)}`,
    verify(purpose, id, signature) {
      const expected = Buffer.from(sign(purpose, id));
      const given = Buffer.from(signature);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
