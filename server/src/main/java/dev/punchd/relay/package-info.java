/**
 * TURN client for TCP relaying (RFC 8656 allocations with RFC 6062 TCP relays): a relayed TCP address per
 * connection that any peer can dial, and outbound connections through the relay. Each relayed connection is
 * a plain {@link java.net.Socket} to the TURN server that carries the peer's bytes, so punchd's TLS handshake
 * runs over it end to end.
 */
package dev.punchd.relay;
