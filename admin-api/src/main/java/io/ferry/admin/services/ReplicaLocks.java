package io.ferry.admin.services;

import io.ferry.admin.errors.UnavailableException;
import io.ferry.admin.requests.Leases;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * Locks on replicas ({@code replica/<ip>} leases in {@code ferry.leases}), shared by the repair
 * service and the NodeSync validator of every instance: a subrange repair or a validation runs only
 * while it holds every replica it touches, so two never work on overlapping replicas at once.
 *
 * <p>Thread policy: blocking; the services' threads. Stateless.
 */
public final class ReplicaLocks {

  private ReplicaLocks() {}

  /**
   * Takes the locks of every replica for {@code owner}, or none.
   *
   * @return whether all were taken; when not, any taken are given back
   */
  public static boolean tryLock(Leases leases, Collection<String> replicas, UUID owner) {
    List<String> taken = new ArrayList<>();
    try {
      for (String replica : replicas) {
        if (!(leases.acquire(name(replica), owner, false) instanceof Leases.Outcome.Acquired)) {
          unlock(leases, taken, owner);
          return false;
        }
        taken.add(replica);
      }
      return true;
    } catch (UnavailableException e) {
      unlock(leases, taken, owner);
      return false;
    }
  }

  public static void unlock(Leases leases, Collection<String> replicas, UUID owner) {
    for (String replica : replicas) {
      leases.release(name(replica), owner);
    }
  }

  private static String name(String replica) {
    return "replica/" + replica;
  }
}
