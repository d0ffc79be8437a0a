import { chmodSync } from 'node:fs'
import type { Server } from 'node:net'

/**
 * Listens on `path`: a Unix socket that is 0600 from the moment it exists (the umask, not a chmod
 * after, so that no other user can connect in between), or a named pipe on Windows.
 */
export async function listenPrivately(server: Server, path: string): Promise<void> {
  const umask = process.umask(0o077)
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(path, () => {
        server.off('error', reject)
        resolve()
      })
    })
  } finally {
    process.umask(umask)
  }
  if (process.platform !== 'win32') chmodSync(path, 0o600)
}
