package dev.punchd.stun;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * One STUN message: method, class, transaction id and attributes in order. Built with {@link #request} (or
 * {@link #response}) and the {@link Builder}, or decoded by {@link StunCodec#decode}; MESSAGE-INTEGRITY and
 * FINGERPRINT are added by {@link StunCodec#encode} and checked through {@link StunCodec}. Immutable.
 */
public final class StunMessage {
  private static final SecureRandom RANDOM = new SecureRandom();

  /** One attribute: its type and its value (without padding). */
  public record Attribute(int type, byte[] value) {}

  private final StunMethod method;
  private final StunClass type;
  private final byte[] transactionId;
  private final List<Attribute> attributes;

  StunMessage(StunMethod method, StunClass type, byte[] transactionId, List<Attribute> attributes) {
    this.method = method;
    this.type = type;
    this.transactionId = transactionId.clone();
    this.attributes = List.copyOf(attributes);
  }

  /** A request of this method with a fresh random transaction id. */
  public static Builder request(StunMethod method) {
    return new Builder(method, StunClass.REQUEST, randomTransactionId());
  }

  /** A success or error response to {@code request} (used by tests that play a server). */
  public static Builder response(StunMessage request, StunClass type) {
    return new Builder(request.method, type, request.transactionId);
  }

  private static byte[] randomTransactionId() {
    byte[] id = new byte[12];
    RANDOM.nextBytes(id);
    return id;
  }

  public StunMethod method() {
    return method;
  }

  public StunClass type() {
    return type;
  }

  public byte[] transactionId() {
    return transactionId.clone();
  }

  /** Whether this is a response (success or error) carrying {@code request}'s method and transaction id. */
  public boolean answers(StunMessage request) {
    return (type == StunClass.SUCCESS || type == StunClass.ERROR) && method == request.method
        && Arrays.equals(transactionId, request.transactionId);
  }

  public List<Attribute> attributes() {
    return attributes;
  }

  /** The value of the first attribute of this type. */
  public Optional<byte[]> attribute(int attributeType) {
    return attributes.stream().filter(a -> a.type() == attributeType).map(a -> a.value().clone()).findFirst();
  }

  /** The first address attribute of this type, XOR-decoded where the type is an XOR one. */
  public Optional<InetSocketAddress> address(int attributeType) throws StunFormatException {
    Optional<byte[]> value = attribute(attributeType);
    return value.isEmpty() ? Optional.empty()
        : Optional.of(XorAddress.decode(value.get(), XorAddress.isXored(attributeType), transactionId));
  }

  /** A text attribute (USERNAME, REALM, NONCE, SOFTWARE) as UTF-8. */
  public Optional<String> text(int attributeType) {
    return attribute(attributeType).map(v -> new String(v, StandardCharsets.UTF_8));
  }

  /** A 32-bit unsigned attribute (LIFETIME, CONNECTION-ID). */
  public OptionalLong u32(int attributeType) throws StunFormatException {
    Optional<byte[]> value = attribute(attributeType);
    if (value.isEmpty()) {
      return OptionalLong.empty();
    }
    if (value.get().length != 4) {
      throw new StunFormatException("attribute 0x" + Integer.toHexString(attributeType) + " of "
          + value.get().length + " bytes (4 expected)");
    }
    return OptionalLong.of(ByteBuffer.wrap(value.get()).getInt() & 0xFFFFFFFFL);
  }

  /** The ERROR-CODE of an error response. */
  public Optional<StunError> error() throws StunFormatException {
    Optional<byte[]> value = attribute(StunAttributes.ERROR_CODE);
    return value.isEmpty() ? Optional.empty() : Optional.of(StunError.decode(value.get()));
  }

  @Override
  public String toString() {
    return method.displayName() + " " + type + " " + HexFormat.of().formatHex(transactionId);
  }

  /** Collects the attributes of a message to build. Not thread-safe. */
  public static final class Builder {
    private final StunMethod method;
    private final StunClass type;
    private final byte[] transactionId;
    private final List<Attribute> attributes = new ArrayList<>();

    Builder(StunMethod method, StunClass type, byte[] transactionId) {
      this.method = method;
      this.type = type;
      this.transactionId = transactionId;
    }

    public Builder add(int attributeType, byte[] value) {
      if (value.length > 0xFFFF) {
        throw new IllegalArgumentException("attribute value of " + value.length + " bytes");
      }
      attributes.add(new Attribute(attributeType, value.clone()));
      return this;
    }

    public Builder addText(int attributeType, String value) {
      return add(attributeType, value.getBytes(StandardCharsets.UTF_8));
    }

    public Builder addU32(int attributeType, long value) {
      return add(attributeType, ByteBuffer.allocate(4).putInt((int) value).array());
    }

    /** Adds an address attribute, XOR-encoded where the type is an XOR one. */
    public Builder addAddress(int attributeType, InetSocketAddress address) {
      return add(attributeType, XorAddress.encode(address, XorAddress.isXored(attributeType), transactionId));
    }

    public Builder addError(StunError error) {
      return add(StunAttributes.ERROR_CODE, error.encode());
    }

    public StunMessage build() {
      return new StunMessage(method, type, transactionId, attributes);
    }
  }
}
