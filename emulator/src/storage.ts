import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Signed file URLs, as W&B hands out signed bucket URLs: whoever holds one
 * may PUT (upload) or GET (download) that file without an API key, and
 * nobody can forge one for another file.
 */
export interface UrlSigner {
  uploadUrl(baseUrl: string, fileId: number): string;
  downloadUrl(baseUrl: string, fileId: number, name: string): string;
  verify(purpose: 'put' | 'get', fileId: number, signature: string): boolean;
}

/** A signer keyed by the database's secret. */
export function createUrlSigner(secret: string): UrlSigner {
  const sign = (purpose: string, fileId: number) => createHmac('sha256', secret).update(`${purpose}:${fileId}`).digest('hex').slice(0, 40);
  return {
    uploadUrl: (baseUrl, fileId) => `${baseUrl}/storage/upload/${fileId}?sig=${sign('put', fileId)}`,
    downloadUrl: (baseUrl, fileId, name) =>
      `${baseUrl}/storage/files/${fileId}/${name.split('/').map(encodeURIComponent).join('/')}?sig=${sign('get', fileId)}`,
    verify(purpose, fileId, signature) {
      const expected = Buffer.from(sign(purpose, fileId));
      const given = Buffer.from(signature);
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}
