package dev.patchops.ticket.security;

import dev.patchops.ticket.config.TicketServiceConfig;
import io.smallrye.jwt.auth.principal.DefaultJWTParser;
import io.smallrye.jwt.auth.principal.JWTAuthContextInfo;
import io.smallrye.jwt.auth.principal.JWTParser;
import io.smallrye.jwt.auth.principal.ParseException;
import jakarta.annotation.Priority;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Alternative;
import jakarta.inject.Inject;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Instant;
import javax.crypto.SecretKey;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * The JWT parser Quarkus verifies bearer tokens with, in front of smallrye-jwt's own: the RS256
 * verification and claim parsing cost about a fifth of the CPU of a ticket create, and a client
 * sends the same token for every request of its lifetime. Only {@link #parse(String)}, the path of
 * request authentication with the configured key, issuer and clock skew, is cached.
 */
@Alternative
@Priority(1)
@ApplicationScoped
public class CachingJwtParser implements JWTParser {
  private final DefaultJWTParser delegate;
  private final VerifiedTokens<JsonWebToken> verified;

  @Inject
  public CachingJwtParser(DefaultJWTParser delegate, TicketServiceConfig config) {
    this.delegate = delegate;
    this.verified =
        new VerifiedTokens<>(
            config.tokenCache().maxSize(),
            config.tokenCache().maxAge().toSeconds(),
            () -> Instant.now().getEpochSecond());
  }

  @Override
  public JsonWebToken parse(String token) throws ParseException {
    JsonWebToken hit = verified.get(token);
    if (hit != null) {
      return hit;
    }
    JsonWebToken jwt = delegate.parse(token);
    verified.put(token, jwt, jwt.getExpirationTime());
    return jwt;
  }

  public int cachedTokens() {
    return verified.size();
  }

  @Override
  public JsonWebToken parse(String token, JWTAuthContextInfo context) throws ParseException {
    return delegate.parse(token, context);
  }

  @Override
  public JsonWebToken verify(String token, PublicKey key) throws ParseException {
    return delegate.verify(token, key);
  }

  @Override
  public JsonWebToken verify(String token, SecretKey key) throws ParseException {
    return delegate.verify(token, key);
  }

  @Override
  public JsonWebToken verify(String token, String secret) throws ParseException {
    return delegate.verify(token, secret);
  }

  @Override
  public JsonWebToken decrypt(String token, PrivateKey key) throws ParseException {
    return delegate.decrypt(token, key);
  }

  @Override
  public JsonWebToken decrypt(String token, SecretKey key) throws ParseException {
    return delegate.decrypt(token, key);
  }

  @Override
  public JsonWebToken decrypt(String token, String secret) throws ParseException {
    return delegate.decrypt(token, secret);
  }

  @Override
  public JsonWebToken parseOnly(String token) throws ParseException {
    return delegate.parseOnly(token);
  }
}
