/**
 * What the cluster's background services share: a loop that runs on one Ferry instance of the fleet
 * at a time under a lease (taken over when its holder dies), and locks on replicas, so that no two
 * repairs or validations (of any service, on any instance) work on the same node at once.
 */
package io.ferry.admin.services;
