import { chmodSync } from 'node:fs'
import type { Server } from 'node:net'

/**
 * Listens on `path`: a Unix socket that no other user can open from the moment it exists (the
 * umask while listen() binds it, which it does at once; then 0600, as the agent's files are), or a
 * named pipe on Windows.
 */
export async function listenPrivately(server: Server, path: string): Promise<void> {
  const listening = new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.once('listening', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const umask = process.umask(0o077)
  try {
    server.listen(path)
  } finally {
    process.umask(umask)
  }
  await listening
  try {
    if (process.platform !== 'win32') chmodSync(path, 0o600)
  } catch (error) {
    // A handle left listening would keep the process alive.
    server.close()
    throw error
  }
}
