"""Exchange lines of text with a peer through a punchd sidecar.

Allocates a connection, prints its own addresses as one line ("ADDRESSES a,b FINGERPRINT fp")
for the peer, takes the peer's line (from --peer-addresses/--peer-fingerprint, or as the first
line of stdin), punches the connection, then sends stdin lines and prints the peer's as "< line".
"""

import argparse
import os
import queue
import sys
import threading

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "gen"))

import grpc  # noqa: E402
from punchd.v1 import punchd_pb2 as pb  # noqa: E402
from punchd.v1 import punchd_pb2_grpc  # noqa: E402

# Printed on stderr when the peer has half-closed (after its last line).
PEER_FINISHED = "chat: peer finished: the chat ends once your input ends too (Ctrl-D)"

STATUS_HINTS = {
    grpc.StatusCode.NOT_FOUND: "the sidecar does not know this connection: expired or closed",
    grpc.StatusCode.FAILED_PRECONDITION: "the connection is not in a state that allows this",
    grpc.StatusCode.INVALID_ARGUMENT: "the sidecar rejected a value",
    grpc.StatusCode.RESOURCE_EXHAUSTED: "the sidecar is at a limit",
}


class ChatError(Exception):
    """A failure worth one line on stderr."""


class Peer:
    """What one side tells the other: where to punch and whom to trust."""

    def __init__(self, addresses, fingerprint):
        self.addresses = addresses
        self.fingerprint = fingerprint  # empty for RAW connections

    @staticmethod
    def parse_line(line):
        fields = line.split()
        if len(fields) != 4 or fields[0] != "ADDRESSES" or fields[2] != "FINGERPRINT":
            raise ChatError(
                f'expected the peer\'s line "ADDRESSES a,b FINGERPRINT fp" on stdin, got "{line.strip()}"')
        return Peer(fields[1].split(","), "" if fields[3] == "-" else fields[3])


def address_line(own):
    addresses = ",".join(list(own.local_addresses) + list(own.public_addresses))
    return f"ADDRESSES {addresses} FINGERPRINT {own.fingerprint or '-'}"


def rpc_error(call, api, error):
    code = error.code()
    hint = STATUS_HINTS.get(code)
    if code == grpc.StatusCode.UNAVAILABLE:
        hint = f"cannot reach the punchd sidecar at {api}"
    name = f"{code.name} ({hint})" if hint else code.name
    return ChatError(f"{call}: {name}: {error.details()}")


def describe_closed(closed):
    return (f"{pb.CloseInitiator.Name(closed.initiator)} {pb.CloseReason.Name(closed.reason)}: "
            f"{closed.message}")


def describe_failed(failed):
    description = f"connection failed: {pb.FailureReason.Name(failed.reason)}: {failed.message}"
    per_address = "; ".join(f"{e.address}: {e.error} ({e.attempts} dials)" for e in failed.address_errors)
    return ChatError(f"{description} [{per_address}]" if per_address else description)


class Chat:
    """One chat over one connection. Background threads report to the main thread through a queue."""

    def __init__(self, api):
        self.api = api
        self.stub = punchd_pb2_grpc.HolePunchStub(grpc.insecure_channel(api))
        self.reports = queue.Queue()

    def call(self, name, *args):
        try:
            return getattr(self.stub, name)(*args)
        except grpc.RpcError as e:
            raise rpc_error(name, self.api, e) from None

    def run(self, options, peer):
        own = self.call("GetAddresses", pb.GetAddressesRequest(options=options))
        print(address_line(own), flush=True)
        try:
            self.connect_and_chat(own.connection_id, peer)
        except BaseException:
            self.close_quietly(own.connection_id)
            raise

    def close_quietly(self, connection_id):
        """Frees a connection this chat gives up on; the sidecar would expire it anyway."""
        try:
            self.stub.Close(pb.CloseRequest(connection_id=connection_id), timeout=2)
        except grpc.RpcError:
            pass

    def connect_and_chat(self, connection_id, peer):
        if peer is None:
            line = sys.stdin.buffer.readline()
            if not line:
                raise ChatError("stdin ended before the peer's ADDRESSES line")
            peer = Peer.parse_line(line.decode())

        events = self.call("Events", pb.EventsRequest(connection_id=connection_id))
        threading.Thread(target=self.watch_events, args=(events,), daemon=True).start()
        self.call("AttemptConnection", pb.AttemptConnectionRequest(
            connection_id=connection_id, peer_addresses=peer.addresses, peer_fingerprint=peer.fingerprint))
        kind, value = self.reports.get()
        if kind != "established":
            raise value or ChatError(f"expected the connection to be established, got {kind}")
        print(f"chat: connected {value.local_address} -> {value.remote_address} "
              f"in {value.establish_millis} ms", file=sys.stderr, flush=True)

        responses = self.call("Stream", self.outgoing(connection_id))
        threading.Thread(target=self.print_received, args=(responses,), daemon=True).start()
        # Done once the peer's stream has completed and the Closed event has arrived, whichever is first.
        for _ in range(2):
            kind, value = self.reports.get()
            if isinstance(value, Exception):
                raise value

    def outgoing(self, connection_id):
        """The Stream's requests: the connection id, then stdin; returning half-closes."""
        yield pb.StreamRequest(connection_id=connection_id)
        for line in iter(sys.stdin.buffer.readline, b""):
            yield pb.StreamRequest(data=line)

    def print_received(self, responses):
        pending = b""
        try:
            for response in responses:
                *lines, pending = (pending + response.data).split(b"\n")
                for line in lines:
                    self.print_line(line)
                if response.peer_finished:
                    if pending:
                        self.print_line(pending)
                        pending = b""
                    print(PEER_FINISHED, file=sys.stderr, flush=True)
            if pending:
                self.print_line(pending)
            self.reports.put(("stream done", None))
        except grpc.RpcError as e:
            self.reports.put(("stream failed", rpc_error("Stream", self.api, e)))

    @staticmethod
    def print_line(line):
        sys.stdout.buffer.write(b"< " + line + b"\n")
        sys.stdout.buffer.flush()

    def watch_events(self, events):
        try:
            for event in events:
                kind = event.WhichOneof("kind")
                if kind == "established":
                    self.reports.put(("established", event.established))
                elif kind == "failed":
                    self.reports.put(("failed", describe_failed(event.failed)))
                elif kind == "closed":
                    closed = event.closed
                    if closed.reason == pb.COMPLETED:
                        self.reports.put(("closed", None))
                    else:
                        self.reports.put(("closed", ChatError(f"connection closed: {describe_closed(closed)}")))
                    return
            self.reports.put(("events ended", ChatError(
                "the sidecar ended the event stream before the connection closed")))
        except grpc.RpcError as e:
            self.reports.put(("events failed", rpc_error("Events", self.api, e)))


def milliseconds(value):
    if not value.isdigit():
        raise argparse.ArgumentTypeError(f"expected a number of milliseconds, got {value!r}")
    return int(value)


def parse_args():
    parser = argparse.ArgumentParser(prog="chat", description=__doc__.splitlines()[0])
    parser.add_argument("--api", default="127.0.0.1:50051", help="punchd sidecar API: host:port or unix:/path")
    parser.add_argument("--raw", action="store_true", help="plain TCP connection, no TLS and no fingerprint")
    parser.add_argument("--attempt-timeout-ms", type=milliseconds, default=0, metavar="MS",
                        help="how long the sidecar punches before giving up (default: the sidecar's)")
    parser.add_argument("--peer-addresses",
                        help="peer's addresses, comma-separated (default: read the peer's ADDRESSES line from stdin)")
    parser.add_argument("--peer-fingerprint", default="", help="peer's fingerprint (with --peer-addresses)")
    return parser.parse_args()


def main():
    args = parse_args()
    peer = Peer(args.peer_addresses.split(","), args.peer_fingerprint) if args.peer_addresses else None
    try:
        options = pb.ConnectionOptions(security=pb.RAW if args.raw else pb.SECURE,
                                       attempt_timeout_ms=args.attempt_timeout_ms)
        Chat(args.api).run(options, peer)
    except ChatError as e:
        print(f"chat: {e}", file=sys.stderr)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
