package io.customerstudio.app.security;

import java.util.Optional;

/** Resolves a presented API token to the username it acts as; empty when it is not live. */
public interface BearerTokens {

  Optional<String> usernameFor(String token);
}
