/**
 * Native protocol framing: frame headers read and patched in place, the frame decoder, and the
 * positions of what a frame body holds, without decoding the message.
 */
package io.ferry.proxy.frame;
