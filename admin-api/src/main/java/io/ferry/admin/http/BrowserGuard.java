package io.ferry.admin.http;

import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Refuses what a web browser sends on behalf of a page of another site. The admin API serves no
 * page of its own, so a browser has no business calling it but from its address bar; yet a page
 * open in a browser on an operator's machine can send it requests (a form POST, an image's GET)
 * and, by DNS rebinding, even read its answers. Three checks, each on what browsers always send:
 *
 * <ul>
 *   <li>{@code Sec-Fetch-Site}: only {@code same-origin} and {@code none} (typed in the address
 *       bar) pass; {@code same-site} does not either, since another program on the same host (a
 *       page on {@code localhost:3000}) is same-site;
 *   <li>{@code Origin} (sent on every cross-site POST, and by older browsers that lack {@code
 *       Sec-Fetch-Site}): only the API's own origin passes;
 *   <li>{@code Host}: only an address or name the API listens as passes, as a rebound name ({@code
 *       attacker.example} now pointing to 127.0.0.1) does not.
 * </ul>
 *
 * Command-line clients (curl, scripts) send none of the first two and the API's own name as {@code
 * Host}, so they pass, whatever the body's content type.
 *
 * <p>Thread-safe (immutable).
 */
final class BrowserGuard {

  private final Set<String> hostNames;

  /**
   * @param address the address the server was asked to listen on (a name or an IP address)
   * @param hostNames further names clients reach it by (a DNS name, a load balancer's)
   */
  BrowserGuard(String address, Iterable<String> hostNames) {
    Set<String> names = new TreeSet<>();
    names.add(normalized(address));
    hostNames.forEach(name -> names.add(normalized(name)));
    this.hostNames = Set.copyOf(names);
  }

  /**
   * Why the request must be refused, or {@code null} when it may go on.
   *
   * @param local the address the request arrived at (its connection's local address)
   */
  String refusal(HttpHeaders headers, InetSocketAddress local) {
    String fetchSite = headers.get("Sec-Fetch-Site");
    if (fetchSite != null
        && !fetchSite.equalsIgnoreCase("same-origin")
        && !fetchSite.equalsIgnoreCase("none")) {
      return "a request a web browser sent from another site (Sec-Fetch-Site: "
          + fetchSite
          + ") is refused: the admin API serves no web page (expected: curl or another client"
          + " that is not a browser)";
    }
    String host = headers.get(HttpHeaderNames.HOST);
    if (host != null && !listensAs(hostPart(host), local)) {
      return "Host: "
          + host
          + " is not a name this admin API listens as, as a DNS rebinding page would send"
          + " (expected one of: "
          + String.join(", ", expectedHosts(local))
          + "; more names go in ferry.admin.host-names)";
    }
    String origin = headers.get(HttpHeaderNames.ORIGIN);
    if (origin != null && !isOwnOrigin(origin, local)) {
      return "Origin: "
          + origin
          + " is not this admin API's own origin: a web page of another site may not call it"
          + " (expected: no Origin, as curl sends, or http://"
          + expectedHosts(local).iterator().next()
          + (local == null ? "" : ":" + local.getPort())
          + ")";
    }
    return null;
  }

  private boolean isOwnOrigin(String origin, InetSocketAddress local) {
    URI uri;
    try {
      uri = new URI(origin);
    } catch (URISyntaxException e) {
      return false; // including "null", sent by sandboxed pages and file: documents
    }
    if (uri.getHost() == null
        || !("http".equalsIgnoreCase(uri.getScheme())
            || "https".equalsIgnoreCase(uri.getScheme()))) {
      return false;
    }
    int port =
        uri.getPort() != -1 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    return local != null && port == local.getPort() && listensAs(normalized(uri.getHost()), local);
  }

  private boolean listensAs(String host, InetSocketAddress local) {
    if (hostNames.contains(host)) {
      return true;
    }
    InetAddress address = local == null ? null : local.getAddress();
    if (address == null) {
      return false;
    }
    if (hostNames.contains("0.0.0.0") || hostNames.contains("::")) {
      // Listening on every interface (which takes a token): any address of this host is its own.
      return isAddressLiteral(host) || host.equals("localhost");
    }
    return host.equals(literal(address)) || (address.isLoopbackAddress() && isLoopbackName(host));
  }

  private Set<String> expectedHosts(InetSocketAddress local) {
    Set<String> expected = new TreeSet<>(hostNames);
    if (local != null && local.getAddress() != null) {
      expected.add(literal(local.getAddress()));
      if (local.getAddress().isLoopbackAddress()) {
        expected.add("localhost");
      }
    }
    return expected;
  }

  private static boolean isLoopbackName(String host) {
    return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
  }

  private static boolean isAddressLiteral(String host) {
    return host.contains(":") || host.chars().allMatch(c -> c == '.' || Character.isDigit(c));
  }

  private static String literal(InetAddress address) {
    String text = address.getHostAddress();
    int scope = text.indexOf('%');
    return address instanceof Inet6Address && scope >= 0 ? text.substring(0, scope) : text;
  }

  /** The host of a {@code Host} header: without its port, IPv6 brackets or a trailing dot. */
  private static String hostPart(String host) {
    String value = host.trim();
    if (value.startsWith("[")) {
      int end = value.indexOf(']');
      return normalized(end > 0 ? value.substring(1, end) : value);
    }
    int colon = value.lastIndexOf(':');
    return normalized(colon >= 0 ? value.substring(0, colon) : value);
  }

  private static String normalized(String host) {
    String value = host.trim().toLowerCase(Locale.ROOT);
    if (value.startsWith("[") && value.endsWith("]")) {
      value = value.substring(1, value.length() - 1);
    }
    return value.endsWith(".") ? value.substring(0, value.length() - 1) : value;
  }
}
