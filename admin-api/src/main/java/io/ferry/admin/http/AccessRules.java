package io.ferry.admin.http;

import java.util.List;

/**
 * Who may call a server: the bearer token every call must present, and whether calls a web browser
 * sends for a page of another site are refused ({@link BrowserGuard}).
 *
 * @param token the bearer token every call must present, or empty for none
 * @param browserGuard whether to refuse cross-site browser calls and foreign {@code Host} names
 * @param hostNames names clients reach the server by besides the address it listens on
 */
public record AccessRules(String token, boolean browserGuard, List<String> hostNames) {

  public AccessRules {
    hostNames = List.copyOf(hostNames);
  }

  /** No token, no browser checks: for read-only servers scraped by name (metrics, health). */
  public static AccessRules open() {
    return new AccessRules("", false, List.of());
  }

  /** A server that changes things: browser checks always, a token when one is configured. */
  public static AccessRules guarded(String token, List<String> hostNames) {
    return new AccessRules(token, true, hostNames);
  }

  /** Never prints the token. */
  @Override
  public String toString() {
    return "AccessRules[token="
        + (token.isEmpty() ? "none" : "****")
        + ", browserGuard="
        + browserGuard
        + ", hostNames="
        + hostNames
        + "]";
  }
}
