/** Ferry's embedded HTTP APIs: the OpsCenter-style cluster-operations API and health checks. */
package io.ferry.admin;
