/** Ferry's proxy as a whole: starting it, its listener, and its graceful shutdown. */
package io.ferry.proxy;
