package io.ferry.proxy.auth;

import java.util.ArrayList;
import java.util.List;

/**
 * The tokens a client sent in its authentication exchange, in order, so that Ferry can open another
 * connection to the same cluster as the same user (mirrored reads). Replaying works for mechanisms
 * without server nonces, such as PLAIN.
 *
 * <p>Thread policy: recorded on the client connection's event loop, replayed by one exchange at a
 * time afterwards.
 */
public final class ClientTokens {

  /** More rounds than any mechanism Cassandra or DSE uses. */
  static final int MAX_TOKENS = 5;

  private final List<byte[]> tokens = new ArrayList<>(2);

  public void record(byte[] token) {
    if (tokens.size() < MAX_TOKENS) {
      tokens.add(token == null ? null : token.clone());
    }
  }

  public boolean isEmpty() {
    return tokens.isEmpty();
  }

  /** An authenticator answering with the recorded tokens in order. */
  public SaslAuthenticator replay() {
    List<byte[]> recorded = new ArrayList<>(tokens);
    return new SaslAuthenticator() {
      private int next;

      @Override
      public byte[] initialResponse() {
        return token();
      }

      @Override
      public byte[] evaluateChallenge(byte[] challenge) {
        return token();
      }

      private byte[] token() {
        if (next >= recorded.size()) {
          throw new AuthenticationException(
              "the node asked for more authentication rounds than the client went through");
        }
        return recorded.get(next++);
      }
    };
  }
}
