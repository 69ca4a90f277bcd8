package io.ferry.proxy.auth;

import io.ferry.proxy.common.ClusterRole;

/**
 * Which cluster a client's credentials are for (the ZDM Proxy's authentication matrix):
 *
 * <table>
 *   <caption>Whose credentials each cluster gets</caption>
 *   <tr><th>origin requires auth</th><th>target requires auth</th><th>client's credentials</th>
 *       <th>Ferry's configured credentials</th></tr>
 *   <tr><td>yes</td><td>yes</td><td>target (origin if forwarded to origin)</td>
 *       <td>origin (target if forwarded to origin)</td></tr>
 *   <tr><td>yes</td><td>no</td><td>origin</td><td>none</td></tr>
 *   <tr><td>no</td><td>yes</td><td>target</td><td>none</td></tr>
 *   <tr><td>no</td><td>no</td><td>none</td><td>none</td></tr>
 * </table>
 *
 * <p>The client runs its exchange with that cluster (Ferry relays the tokens unchanged, so any
 * mechanism works); Ferry runs the other cluster's exchange itself.
 */
public final class CredentialRouting {

  private CredentialRouting() {}

  /**
   * @return the cluster the client authenticates with, or {@code null} when neither requires it
   */
  public static ClusterRole clientCredentialsCluster(
      boolean originRequiresAuth, boolean targetRequiresAuth, boolean forwardToOrigin) {
    if (originRequiresAuth && targetRequiresAuth) {
      return forwardToOrigin ? ClusterRole.ORIGIN : ClusterRole.TARGET;
    }
    if (originRequiresAuth) {
      return ClusterRole.ORIGIN;
    }
    return targetRequiresAuth ? ClusterRole.TARGET : null;
  }
}
