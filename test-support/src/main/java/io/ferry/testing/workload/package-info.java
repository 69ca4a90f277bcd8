/**
 * A steady application-like load of prepared writes and reads through a driver session while a
 * fault happens, the audit of what each cluster holds afterwards, and the table of figures per
 * fault.
 */
package io.ferry.testing.workload;
