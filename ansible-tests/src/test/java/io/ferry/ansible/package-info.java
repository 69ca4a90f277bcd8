/**
 * Tests of the Ansible playbooks ({@code ansible/}): ansible-playbook against a fleet of three
 * local Ferry hosts in front of real Cassandra nodes, and ansible-lint.
 */
package io.ferry.ansible;
