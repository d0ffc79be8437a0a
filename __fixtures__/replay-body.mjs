// oidc-provider reads a request's body itself, so a Koa middleware in front of it that has read
// (and maybe rewritten) the form hands the provider a fresh stream of it.
import { Readable } from 'node:stream'

/**
 * @param {import('oidc-provider').KoaContextWithOIDC} ctx
 * @param {Buffer} body the form to hand on
 */
export function replayBody(ctx, body) {
  const { headers, method, url, socket, httpVersion } = ctx.req
  const replay = Object.assign(Readable.from([body]), {
    headers: { ...headers, 'content-length': String(body.length) },
    method,
    url,
    socket,
    httpVersion
  })
  ctx.req = ctx.request.req = /** @type {any} */ (replay)
}
