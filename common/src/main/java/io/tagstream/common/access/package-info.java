/**
 * Who may call the services' APIs, and what for: plain Java (no Quarkus), table-tested. {@link Authenticator} turns a
 * request's {@code Authorization} header into an {@link Identity} (an OIDC/JWT bearer token verified with SmallRye JWT,
 * the verifier Quarkus itself uses, or a static API token kept hashed in a secret); {@link AccessRules} decides, from
 * the request and that identity, whether it may go on or which rule refuses it (401, 403, 415). The service runtime's
 * {@code AccessFilter} carries the decision out; per-promotion rules (approvers, required approvals, self-approval)
 * are the promoter core's.
 */
package io.tagstream.common.access;
