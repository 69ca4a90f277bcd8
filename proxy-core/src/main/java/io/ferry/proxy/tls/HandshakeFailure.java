package io.ferry.proxy.tls;

import io.ferry.proxy.tls.ExplainingTrustManager.UntrustedCertificateException;
import io.netty.handler.ssl.NotSslRecordException;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import java.nio.channels.ClosedChannelException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLException;

/**
 * Why a TLS handshake failed, read from the exception Netty reports (often wrapped in a {@code
 * DecoderException} or a {@code CompletionException}): the facts that each side of Ferry puts into
 * words of its own.
 *
 * @param detail what the kind needs: the explanation of {@link Kind#UNTRUSTED}, the alert's name
 *     for {@link Kind#ALERT_RECEIVED}, the JDK's or Netty's words otherwise
 */
record HandshakeFailure(Kind kind, String detail) {

  enum Kind {
    /** Ferry refused the peer's certificate. */
    UNTRUSTED,
    /** The client sent no certificate although Ferry requires one. */
    NO_CLIENT_CERTIFICATE,
    /** The peer refused the handshake with a fatal TLS alert ({@code certificate_required}...). */
    ALERT_RECEIVED,
    /** The peer sent bytes that are not TLS. */
    NOT_TLS,
    /** The handshake did not finish in time. */
    TIMED_OUT,
    /** The connection closed during the handshake. */
    CLOSED,
    /** Anything else. */
    OTHER
  }

  private static final Pattern RECEIVED_ALERT = Pattern.compile("Received fatal alert: (\\w+)");

  /** Classifies {@code failure}. */
  static HandshakeFailure of(Throwable failure) {
    UntrustedCertificateException untrusted = find(failure, UntrustedCertificateException.class);
    if (untrusted != null) {
      return new HandshakeFailure(Kind.UNTRUSTED, untrusted.getMessage());
    }
    NotSslRecordException notTls = find(failure, NotSslRecordException.class);
    if (notTls != null) {
      return new HandshakeFailure(Kind.NOT_TLS, notTls.getMessage());
    }
    SslHandshakeTimeoutException timeout = find(failure, SslHandshakeTimeoutException.class);
    if (timeout != null) {
      return new HandshakeFailure(Kind.TIMED_OUT, timeout.getMessage());
    }
    SSLException ssl = find(failure, SSLException.class);
    String message = ssl != null ? String.valueOf(ssl.getMessage()) : String.valueOf(failure);
    Matcher alert = RECEIVED_ALERT.matcher(message);
    if (alert.find()) {
      return new HandshakeFailure(Kind.ALERT_RECEIVED, alert.group(1));
    }
    // JSSE's words when a client sends no certificate to a server that requires one.
    if (message.contains("Empty client certificate chain")) {
      return new HandshakeFailure(Kind.NO_CLIENT_CERTIFICATE, message);
    }
    if (find(failure, ClosedChannelException.class) != null) {
      return new HandshakeFailure(Kind.CLOSED, message);
    }
    return new HandshakeFailure(Kind.OTHER, ssl != null ? message : failure.toString());
  }

  /** Whether {@code failure} comes from TLS (and not, say, from a refused TCP connection). */
  static boolean isTls(Throwable failure) {
    return find(failure, SSLException.class) != null
        || find(failure, NotSslRecordException.class) != null
        || find(failure, UntrustedCertificateException.class) != null;
  }

  /** The first exception of {@code type} in the cause chain of {@code failure}, or null. */
  static <T extends Throwable> T find(Throwable failure, Class<T> type) {
    for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
      if (type.isInstance(cause)) {
        return type.cast(cause);
      }
    }
    return null;
  }
}
