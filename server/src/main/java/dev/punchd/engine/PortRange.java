package dev.punchd.engine;

/**
 * The ports punched connections may bind: {@code first..last} inclusive, or {@link #ANY} for an OS-chosen
 * port. Immutable.
 */
public record PortRange(int first, int last) {
  public static final PortRange ANY = new PortRange(0, 0);

  public PortRange {
    boolean any = first == 0 && last == 0;
    if (!any && (first < 1 || last > 65535 || first > last)) {
      throw new IllegalArgumentException("port range must be 1-65535 with first <= last, got " + first + "-" + last);
    }
  }

  /** Parses {@code "40000-40999"}, a single port {@code "40000"}, or {@code "0"}/{@code "any"}. */
  public static PortRange parse(String text) {
    String value = text.trim();
    if (value.equals("0") || value.equalsIgnoreCase("any")) {
      return ANY;
    }
    String[] parts = value.split("-", -1);
    try {
      if (parts.length == 1) {
        int port = Integer.parseInt(parts[0]);
        return new PortRange(port, port);
      }
      if (parts.length == 2) {
        return new PortRange(Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim()));
      }
    } catch (NumberFormatException e) {
      // fall through to the common message
    }
    throw new IllegalArgumentException("malformed port range '" + text + "': expected FIRST-LAST, e.g. 40000-40999");
  }

  public boolean isAny() {
    return first == 0;
  }

  public int size() {
    return isAny() ? 0 : last - first + 1;
  }

  @Override
  public String toString() {
    return isAny() ? "any" : first + "-" + last;
  }
}
