/**
 * STUN message codec (RFC 8489) with the TURN (RFC 8656) and TCP-relay (RFC 6062) methods and attributes
 * punchd uses, framing over a TCP stream, and the long-term credential mechanism. Used by STUN discovery
 * ({@code dev.punchd.discovery.stun}) and the TURN client ({@code dev.punchd.relay}).
 */
package dev.punchd.stun;
