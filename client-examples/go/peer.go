package main

import (
	"bufio"
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	punchdv1 "punchd/v1"
)

// peerInfo is what one side tells the other: where to punch and whom to trust.
type peerInfo struct {
	addresses   []string
	fingerprint string // empty for RAW connections
}

// formatAddressLine is the one line a peer needs: "ADDRESSES a,b FINGERPRINT fp" ("-" when there is no fingerprint).
func formatAddressLine(own *punchdv1.GetAddressesResponse) string {
	addresses := append(append([]string{}, own.LocalAddresses...), own.PublicAddresses...)
	fingerprint := own.Fingerprint
	if fingerprint == "" {
		fingerprint = "-"
	}
	return fmt.Sprintf("ADDRESSES %s FINGERPRINT %s", strings.Join(addresses, ","), fingerprint)
}

// readPeerLine reads the peer's ADDRESSES line, the first line of stdin.
func readPeerLine(stdin *bufio.Reader) (*peerInfo, error) {
	line, err := stdin.ReadString('\n')
	if line == "" && err != nil {
		return nil, fmt.Errorf("stdin ended before the peer's ADDRESSES line")
	}
	fields := strings.Fields(line)
	if len(fields) != 4 || fields[0] != "ADDRESSES" || fields[2] != "FINGERPRINT" {
		return nil, fmt.Errorf("expected the peer's line \"ADDRESSES a,b FINGERPRINT fp\" on stdin, got %q", strings.TrimSpace(line))
	}
	peer := &peerInfo{addresses: strings.Split(fields[1], ",")}
	if fields[3] != "-" {
		peer.fingerprint = fields[3]
	}
	return peer, nil
}

var statusHints = map[codes.Code]string{
	codes.NotFound:           "NOT_FOUND (the sidecar does not know this connection: expired or closed)",
	codes.FailedPrecondition: "FAILED_PRECONDITION (the connection is not in a state that allows this)",
	codes.InvalidArgument:    "INVALID_ARGUMENT (the sidecar rejected a value)",
	codes.ResourceExhausted:  "RESOURCE_EXHAUSTED (the sidecar is at a limit)",
	codes.DeadlineExceeded:   "DEADLINE_EXCEEDED",
	codes.Canceled:           "CANCELLED",
	codes.Internal:           "INTERNAL",
	codes.Unimplemented:      "UNIMPLEMENTED",
}

// rpcError turns a gRPC failure into one line naming the call, the status and the sidecar's description.
func rpcError(call, api string, err error) error {
	st := status.Convert(err)
	hint, known := statusHints[st.Code()]
	if st.Code() == codes.Unavailable {
		hint = fmt.Sprintf("UNAVAILABLE (cannot reach the punchd sidecar at %s)", api)
	} else if !known {
		hint = st.Code().String()
	}
	return fmt.Errorf("%s: %s: %s", call, hint, st.Message())
}
