import { ActionError } from '../base/errors.js'
import { unsupportedValue, type GetInput } from '../base/input-rules.js'
import type { AttemptContext } from '../oauth/attempt-context.js'
import { clientCredentialsGrant } from './client-credentials.js'
import { jwtBearerGrant } from './jwt-bearer.js'
import { tokenExchangeGrant } from './token-exchange.js'
import type { GrantDefinition, GrantFields } from './types.js'

/** Every grant, in action.yml's order: a new grant is its file and a line here. */
export const GRANTS = [clientCredentialsGrant, tokenExchangeGrant, jwtBearerGrant] as const

/** The grant a definition reads, from its type. */
export type GrantOf<D> = D extends GrantDefinition<infer G> ? G : never

export type Grant = GrantOf<(typeof GRANTS)[number]>
export type GrantType = Grant['type']

/** A definition with its grant type forgotten: what the registry's lookups hand out. */
type AnyGrant = GrantDefinition<{ type: string }>

/** The names, form fields and input rule a list of grants makes (a test adds one). */
export function grantRegistry(grants: readonly AnyGrant[]) {
  const names = grants.map(grant => grant.type)
  return {
    names,
    definitionOf: (type: string) => grants.find(grant => grant.type === type) as AnyGrant,
    formFields: grants.flatMap(grant => grant.formFields),
    read(getInput: GetInput): { type: string } {
      const value = getInput('grant-type') || 'client_credentials'
      const definition = grants.find(grant => grant.type === value || grant.uri === value)
      if (!definition) {
        const values = grants.flatMap(grant => [grant.type, grant.uri])
        throw new ActionError(
          unsupportedValue('grant-type', value, values, `${names.join(', ')} (or their URNs)`)
        )
      }
      return definition.read(getInput)
    }
  }
}

const REGISTRY = grantRegistry(GRANTS)

/** The grants, by the short name the input takes, to the grant_type they send. */
export const GRANT_TYPES = Object.fromEntries(
  GRANTS.map(grant => [grant.type, grant.uri])
) as Record<GrantType, string>

export const GRANT_FORM_FIELDS: readonly string[] = REGISTRY.formFields

export function readGrant(getInput: GetInput): Grant {
  return REGISTRY.read(getInput) as Grant
}

export function grantDefinition(grant: Grant): GrantDefinition<Grant> {
  return REGISTRY.definitionOf(grant.type) as GrantDefinition<Grant>
}

/** A subject or actor token from the inputs, to mask first. */
export function grantSecrets(grant: Grant): string[] {
  return grantDefinition(grant).secrets(grant)
}

/** What one attempt's grant adds to the form, and the secrets it made for it. */
export function grantFields(grant: Grant, context: AttemptContext): Promise<GrantFields> {
  return grantDefinition(grant).fields(grant, context)
}

export type { GrantDefinition, GrantFields } from './types.js'
