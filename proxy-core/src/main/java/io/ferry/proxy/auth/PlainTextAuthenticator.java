package io.ferry.proxy.auth;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * SASL PLAIN with a user name and password, as Cassandra's {@code PasswordAuthenticator} expects
 * ({@code \0user\0password}). DSE's {@code DseAuthenticator} first wants the mechanism name: the
 * first token is then {@code PLAIN}, the node answers the challenge {@code PLAIN-START}, and the
 * credentials follow.
 */
public final class PlainTextAuthenticator implements SaslAuthenticator {

  /** The authenticator class of DSE, which negotiates the mechanism first. */
  public static final String DSE_AUTHENTICATOR = "com.datastax.bdp.cassandra.auth.DseAuthenticator";

  static final byte[] MECHANISM = "PLAIN".getBytes(StandardCharsets.UTF_8);
  static final byte[] MECHANISM_START = "PLAIN-START".getBytes(StandardCharsets.UTF_8);

  private final String username;
  private final String password;
  private final boolean negotiatesMechanism;
  private boolean credentialsSent;

  /**
   * @param authenticator the class name the node's AUTHENTICATE message gave
   */
  public PlainTextAuthenticator(String username, String password, String authenticator) {
    this.username = username;
    this.password = password;
    this.negotiatesMechanism = DSE_AUTHENTICATOR.equals(authenticator);
  }

  @Override
  public byte[] initialResponse() {
    if (negotiatesMechanism) {
      return MECHANISM.clone();
    }
    credentialsSent = true;
    return credentials();
  }

  @Override
  public byte[] evaluateChallenge(byte[] challenge) {
    if (negotiatesMechanism && !credentialsSent && Arrays.equals(challenge, MECHANISM_START)) {
      credentialsSent = true;
      return credentials();
    }
    throw new AuthenticationException(
        "unexpected authentication challenge of "
            + (challenge == null ? 0 : challenge.length)
            + " bytes for plain-text authentication");
  }

  private byte[] credentials() {
    byte[] user = username.getBytes(StandardCharsets.UTF_8);
    byte[] secret = password.getBytes(StandardCharsets.UTF_8);
    byte[] token = new byte[user.length + secret.length + 2];
    System.arraycopy(user, 0, token, 1, user.length);
    System.arraycopy(secret, 0, token, user.length + 2, secret.length);
    return token;
  }

  @Override
  public String toString() {
    return "PlainTextAuthenticator[" + username + "]";
  }
}
