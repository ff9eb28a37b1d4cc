package dev.punchd.natlab;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * How the lab is built: topology, each router's NAT type and reaction to unsolicited inbound packets, and
 * the delay per public link. Knows the lab's fixed addresses (natlab/README.md). Immutable.
 */
record LabSetup(String topology, Nat natA, Nat natB, Inbound inbound, int delayMillis) {

  /** What a router does to outbound flows. */
  enum Nat { CONE, FULLCONE, SYMMETRIC, PORTSHIFT, NONE }

  /** What a router does with an unsolicited inbound SYN. */
  enum Inbound { RST, DROP }

  private static final Map<String, String> ADDRESSES = Map.of(
      "pub", "203.0.113.10", "p1", "203.0.113.20", "a1", "10.0.1.10", "a2", "10.0.1.11", "b1", "10.0.2.10");
  private static final Map<String, String> ROUTER_PUBLIC = Map.of("a", "203.0.113.1", "b", "203.0.113.2");

  /** The reflector's URL, served from {@code pub}. */
  static final String REFLECTOR_LISTEN = ADDRESSES.get("pub") + ":8080";

  /** Every host of the lab, both routers as given. */
  static LabSetup full(Nat natA, Nat natB, Inbound inbound) {
    return new LabSetup("full", natA, natB, inbound, 0);
  }

  LabSetup withDelayMillis(int millis) {
    return new LabSetup(topology, natA, natB, inbound, millis);
  }

  /** Arguments for {@code lab up}. */
  List<String> upArguments() {
    List<String> args = new ArrayList<>(List.of(topology, "--nat-a", name(natA), "--nat-b", name(natB),
        "--inbound", name(inbound)));
    if (delayMillis > 0) {
      args.addAll(List.of("--delay-ms", Integer.toString(delayMillis)));
    }
    return args;
  }

  /** The address of a client host on its own interface. */
  static String addressOf(String host) {
    String address = ADDRESSES.get(host);
    if (address == null) {
      throw new IllegalArgumentException("no client host '" + host + "' in the lab (known: " + ADDRESSES.keySet()
          + ")");
    }
    return address;
  }

  /** The IP the reflector sees for {@code host}: its router's public address, or its own without NAT. */
  String publicIpOf(String host) {
    String router = host.startsWith("a") ? "a" : host.startsWith("b") ? "b" : null;
    Nat nat = router == null ? Nat.NONE : router.equals("a") ? natA : natB;
    return nat == Nat.NONE ? addressOf(host) : ROUTER_PUBLIC.get(router);
  }

  /** E.g. {@code nat-a=symmetric nat-b=cone inbound=rst delay=20ms}. */
  String describe() {
    return "nat-a=" + name(natA) + " nat-b=" + name(natB) + " inbound=" + name(inbound)
        + (delayMillis > 0 ? " delay=" + delayMillis + "ms" : "");
  }

  private static String name(Enum<?> value) {
    return value.name().toLowerCase(Locale.ROOT);
  }
}
