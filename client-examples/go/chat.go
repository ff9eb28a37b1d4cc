// Command chat exchanges lines of text with a peer through a punchd sidecar.
//
// It allocates a connection, prints its own addresses as one line
// ("ADDRESSES a,b FINGERPRINT fp") for the peer, takes the peer's line (from
// --peer-addresses/--peer-fingerprint, or as the first line of stdin), punches
// the connection, then sends stdin lines and prints the peer's lines as "< line".
//
//go:generate mkdir -p gopath/src
//go:generate protoc -I ../../proto/src/main/proto --go_out=gopath/src --go-grpc_out=gopath/src punchd/v1/punchd.proto
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"google.golang.org/grpc"

	punchdv1 "punchd/v1"
)

// peerFinished goes to stderr when the peer has half-closed (after its last line).
const peerFinished = "chat: peer finished: the chat ends once your input ends too (Ctrl-D)"

func main() {
	api := flag.String("api", "127.0.0.1:50051", "punchd sidecar API: host:port or unix:/path")
	raw := flag.Bool("raw", false, "plain TCP connection, no TLS and no fingerprint")
	attemptTimeoutMs := flag.Uint("attempt-timeout-ms", 0, "how long the sidecar punches before giving up (default: the sidecar's)")
	peerAddresses := flag.String("peer-addresses", "", "peer's addresses, comma-separated (default: read the peer's ADDRESSES line from stdin)")
	peerFingerprint := flag.String("peer-fingerprint", "", "peer's fingerprint (with --peer-addresses)")
	flag.Parse()

	var flagPeer *peerInfo
	if *peerAddresses != "" {
		flagPeer = &peerInfo{addresses: strings.Split(*peerAddresses, ","), fingerprint: *peerFingerprint}
	}
	options := &punchdv1.ConnectionOptions{AttemptTimeoutMs: uint32(*attemptTimeoutMs)}
	if *raw {
		options.Security = punchdv1.SecurityMode_RAW
	}
	if err := run(*api, options, flagPeer); err != nil {
		fmt.Fprintln(os.Stderr, "chat: "+err.Error())
		os.Exit(1)
	}
}

// run chats over one connection; peer is nil when the peer's line comes from stdin.
func run(api string, options *punchdv1.ConnectionOptions, peer *peerInfo) (err error) {
	conn, err := grpc.Dial(api, grpc.WithInsecure())
	if err != nil {
		return fmt.Errorf("bad --api %q: %v", api, err)
	}
	defer conn.Close()
	client := punchdv1.NewHolePunchClient(conn)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()

	own, err := client.GetAddresses(ctx, &punchdv1.GetAddressesRequest{Options: options})
	if err != nil {
		return rpcError("GetAddresses", api, err)
	}
	fmt.Println(formatAddressLine(own))
	id := own.ConnectionId
	defer func() {
		if err != nil {
			closeQuietly(client, id)
		}
	}()

	stdin := bufio.NewReader(os.Stdin)
	if peer == nil {
		if peer, err = readPeerLine(stdin); err != nil {
			return err
		}
	}
	events, err := client.Events(ctx, &punchdv1.EventsRequest{ConnectionId: id})
	if err != nil {
		return rpcError("Events", api, err)
	}
	if _, err = client.AttemptConnection(ctx, &punchdv1.AttemptConnectionRequest{
		ConnectionId: id, PeerAddresses: peer.addresses, PeerFingerprint: peer.fingerprint,
	}); err != nil {
		return rpcError("AttemptConnection", api, err)
	}
	established, err := awaitEstablished(events, api)
	if err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "chat: connected %s -> %s in %d ms\n",
		established.LocalAddress, established.RemoteAddress, established.EstablishMillis)

	stream, err := client.Stream(ctx)
	if err != nil {
		return rpcError("Stream", api, err)
	}
	go sendLines(stream, id, stdin)
	received := make(chan error, 1)
	go func() { received <- printReceived(stream, api) }()
	closed := make(chan error, 1)
	go func() { closed <- awaitClosed(events, api) }()

	// Done once the peer's stream has completed and the Closed event has arrived, whichever is first.
	for pending := 2; pending > 0; pending-- {
		select {
		case err = <-received:
		case err = <-closed:
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// sendLines names the connection, sends stdin to the peer and half-closes at EOF.
// A failed Send means the stream is over; printReceived then reports why.
func sendLines(stream punchdv1.HolePunch_StreamClient, id string, stdin *bufio.Reader) {
	if stream.Send(&punchdv1.StreamRequest{ConnectionId: id}) != nil {
		return
	}
	for {
		line, err := stdin.ReadBytes('\n')
		if len(line) > 0 && stream.Send(&punchdv1.StreamRequest{Data: line}) != nil {
			return
		}
		if err != nil {
			stream.CloseSend()
			return
		}
	}
}

// printReceived prints the peer's data line by line until the peer half-closes.
func printReceived(stream punchdv1.HolePunch_StreamClient, api string) error {
	var pending []byte
	for {
		response, err := stream.Recv()
		if err == io.EOF {
			if len(pending) > 0 {
				fmt.Printf("< %s\n", pending)
			}
			return nil
		}
		if err != nil {
			return rpcError("Stream", api, err)
		}
		pending = append(pending, response.Data...)
		for {
			i := bytes.IndexByte(pending, '\n')
			if i < 0 {
				break
			}
			fmt.Printf("< %s\n", pending[:i])
			pending = pending[i+1:]
		}
		if response.PeerFinished {
			if len(pending) > 0 {
				fmt.Printf("< %s\n", pending)
				pending = nil
			}
			fmt.Fprintln(os.Stderr, peerFinished)
		}
	}
}

// awaitEstablished waits for the attempt's outcome.
func awaitEstablished(events punchdv1.HolePunch_EventsClient, api string) (*punchdv1.Established, error) {
	for {
		event, err := nextEvent(events, api)
		if err != nil {
			return nil, err
		}
		switch kind := event.Kind.(type) {
		case *punchdv1.Event_Established:
			return kind.Established, nil
		case *punchdv1.Event_Failed:
			return nil, describeFailed(kind.Failed)
		case *punchdv1.Event_Closed:
			return nil, fmt.Errorf("connection closed before it was established: %s", describeClosed(kind.Closed))
		}
	}
}

// awaitClosed waits for the Closed event; only a completed connection (both sides done) is a success.
func awaitClosed(events punchdv1.HolePunch_EventsClient, api string) error {
	for {
		event, err := nextEvent(events, api)
		if err != nil {
			return err
		}
		if closed := event.GetClosed(); closed != nil {
			if closed.Reason == punchdv1.CloseReason_COMPLETED {
				return nil
			}
			return fmt.Errorf("connection closed: %s", describeClosed(closed))
		}
	}
}

func nextEvent(events punchdv1.HolePunch_EventsClient, api string) (*punchdv1.Event, error) {
	event, err := events.Recv()
	if err == io.EOF {
		return nil, errors.New("the sidecar ended the event stream before the connection closed")
	}
	if err != nil {
		return nil, rpcError("Events", api, err)
	}
	return event, nil
}

// closeQuietly frees a connection this chat gives up on; the sidecar would expire it anyway.
func closeQuietly(client punchdv1.HolePunchClient, id string) {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	client.Close(ctx, &punchdv1.CloseRequest{ConnectionId: id})
}

func describeFailed(failed *punchdv1.Failed) error {
	description := fmt.Sprintf("connection failed: %s: %s", failed.Reason, failed.Message)
	var perAddress []string
	for _, e := range failed.AddressErrors {
		perAddress = append(perAddress, fmt.Sprintf("%s: %s (%d dials)", e.Address, e.Error, e.Attempts))
	}
	if len(perAddress) > 0 {
		description += " [" + strings.Join(perAddress, "; ") + "]"
	}
	return errors.New(description)
}

func describeClosed(closed *punchdv1.Closed) string {
	return fmt.Sprintf("%s %s: %s", closed.Initiator, closed.Reason, closed.Message)
}
