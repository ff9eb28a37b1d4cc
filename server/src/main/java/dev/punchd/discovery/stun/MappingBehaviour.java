package dev.punchd.discovery.stun;

/** How a NAT chooses the public address of an outbound flow (RFC 4787 section 4.1, RFC 5780 section 4.3). */
public enum MappingBehaviour {
  /** One public address per local address, whatever the destination: what punching needs. */
  ENDPOINT_INDEPENDENT,
  /** A new public address per destination IP. */
  ADDRESS_DEPENDENT,
  /** A new public address per destination IP and port ("symmetric"). */
  ADDRESS_AND_PORT_DEPENDENT,
  /** A new public address for another destination; whether the port alone matters could not be told. */
  DESTINATION_DEPENDENT,
  /** Not enough observations (one server without an RFC 5780 OTHER-ADDRESS, or a probe failed). */
  UNKNOWN
}
