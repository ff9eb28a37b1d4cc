// Command datapath measures punchd's data path driven by a Go application, against a raw TCP socket
// pair on loopback in the same run: throughput each way (16 MiB per operation in 64 KiB messages) and
// 1 KiB ping-pong (p50, p99), for one security mode. Two sidecars must be listening on --api-a and
// --api-b (bench/go/run starts them). It prints Markdown rows with ratios (punchd / TCP, medians of the
// per-round ratios), so the Java client of bench/run can neither flatter nor hide the sidecar. Given the
// sidecars' process ids (--pid-a, --pid-b), it also prints the CPU time (user + system) spent per MB moved
// in the throughput figures: by both sidecar processes, and by this client, each against the CPU time the
// TCP pair (both ends in this process) spends per MB, so the cost of each part shows whatever the client.
//
//go:generate mkdir -p gopath/src
//go:generate protoc -I ../../proto/src/main/proto --go_out=gopath/src --go-grpc_out=gopath/src punchd/v1/punchd.proto
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"google.golang.org/grpc"

	punchdv1 "punchd/v1"
)

const (
	opBytes     = 16 << 20
	messageSize = 64 << 10
	pingSize    = 1 << 10
)

func main() {
	apiA := flag.String("api-a", "127.0.0.1:50061", "sidecar A's API")
	apiB := flag.String("api-b", "127.0.0.1:50062", "sidecar B's API")
	raw := flag.Bool("raw", false, "RAW connection (default SECURE)")
	rounds := flag.Int("rounds", 3, "rounds, alternating TCP and punchd")
	seconds := flag.Float64("seconds", 3, "measuring time per figure and round")
	warmup := flag.Float64("warmup", 16, "unrecorded time per figure before the rounds (the sidecars' JIT warms up)")
	tsv := flag.Bool("tsv", false, "print tab-separated figures (mode, figure, punchd, TCP, ratio or difference) instead of Markdown")
	pidA := flag.Int("pid-a", 0, "sidecar A's process id, for CPU per MB (0: not measured)")
	pidB := flag.Int("pid-b", 0, "sidecar B's process id, for CPU per MB (0: not measured)")
	flag.Parse()
	mode := punchdv1.SecurityMode_SECURE
	if *raw {
		mode = punchdv1.SecurityMode_RAW
	}
	toDuration := func(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
	var sidecars []int
	if *pidA != 0 && *pidB != 0 {
		sidecars = []int{*pidA, *pidB}
	}
	if err := run(*apiA, *apiB, mode, *rounds, toDuration(*seconds), toDuration(*warmup), *tsv, sidecars); err != nil {
		fmt.Fprintln(os.Stderr, "datapath:", err)
		os.Exit(1)
	}
}

func run(apiA, apiB string, mode punchdv1.SecurityMode, rounds int, span, warmup time.Duration, tsv bool, sidecars []int) error {
	bulk, err := connect(apiA, apiB, mode)
	if err != nil {
		return err
	}
	echo, err := connect(apiA, apiB, mode)
	if err != nil {
		return err
	}
	go echoAll(echo.b)
	tcpAB, tcpBA, err := tcpPair()
	if err != nil {
		return err
	}
	tcpEcho, tcpEchoPeer, err := tcpPair()
	if err != nil {
		return err
	}
	go io.Copy(tcpEchoPeer, tcpEchoPeer)

	if warmup > 0 {
		if _, _, err := throughput(streamWriter(bulk.a), streamReader(bulk.b), warmup); err != nil {
			return err
		}
		if _, _, err := throughput(streamWriter(bulk.b), streamReader(bulk.a), warmup); err != nil {
			return err
		}
		if _, err := pingPong(streamWriter(echo.a), streamReader(echo.a), warmup); err != nil {
			return err
		}
	}
	var abRatio, baRatio, p50Delta, p99Delta, abTCP, abPunchd, baTCP, baPunchd []float64
	var p50TCP, p50Punchd, p99TCP, p99Punchd []float64
	var cpuTCP, cpuSidecars, cpuClient []float64 // ms per MB
	for round := 0; round < rounds; round++ {
		clientBefore := clientCPU()
		tcpRate, tcpBytes, err := throughput(tcpWriter(tcpAB), tcpReader(tcpBA), span)
		if err != nil {
			return err
		}
		tcpRateBack, tcpBytesBack, err := throughput(tcpWriter(tcpBA), tcpReader(tcpAB), span)
		if err != nil {
			return err
		}
		cpuTCP = append(cpuTCP, msPerMB(clientCPU()-clientBefore, tcpBytes+tcpBytesBack))
		sidecarsBefore, err := processCPU(sidecars)
		if err != nil {
			return err
		}
		clientBefore = clientCPU()
		rateAB, bytesAB, err := throughput(streamWriter(bulk.a), streamReader(bulk.b), span)
		if err != nil {
			return err
		}
		rateBA, bytesBA, err := throughput(streamWriter(bulk.b), streamReader(bulk.a), span)
		if err != nil {
			return err
		}
		cpuClient = append(cpuClient, msPerMB(clientCPU()-clientBefore, bytesAB+bytesBA))
		sidecarsAfter, err := processCPU(sidecars)
		if err != nil {
			return err
		}
		cpuSidecars = append(cpuSidecars, msPerMB(sidecarsAfter-sidecarsBefore, bytesAB+bytesBA))
		tcpLat, err := pingPong(tcpWriter(tcpEcho), tcpReader(tcpEcho), span)
		if err != nil {
			return err
		}
		lat, err := pingPong(streamWriter(echo.a), streamReader(echo.a), span)
		if err != nil {
			return err
		}
		abRatio = append(abRatio, rateAB/tcpRate)
		baRatio = append(baRatio, rateBA/tcpRateBack)
		abTCP = append(abTCP, tcpRate)
		abPunchd = append(abPunchd, rateAB)
		baTCP = append(baTCP, tcpRateBack)
		baPunchd = append(baPunchd, rateBA)
		p50TCP = append(p50TCP, percentile(tcpLat, 50))
		p50Punchd = append(p50Punchd, percentile(lat, 50))
		p99TCP = append(p99TCP, percentile(tcpLat, 99))
		p99Punchd = append(p99Punchd, percentile(lat, 99))
		p50Delta = append(p50Delta, percentile(lat, 50)-percentile(tcpLat, 50))
		p99Delta = append(p99Delta, percentile(lat, 99)-percentile(tcpLat, 99))
		fmt.Fprintf(os.Stderr, "round %d: A->B %.0f MB/s (TCP %.0f), B->A %.0f MB/s (TCP %.0f), 1 KiB p50 %.0f us (TCP %.0f)\n",
			round+1, rateAB/1e6, tcpRate/1e6, rateBA/1e6, tcpRateBack/1e6, percentile(lat, 50), percentile(tcpLat, 50))
	}
	if tsv {
		fmt.Printf("%s\tthroughput_ab\t%.1f\t%.1f\t%.4f\n", mode, median(abPunchd)/1e6, median(abTCP)/1e6, median(abRatio))
		fmt.Printf("%s\tthroughput_ba\t%.1f\t%.1f\t%.4f\n", mode, median(baPunchd)/1e6, median(baTCP)/1e6, median(baRatio))
		fmt.Printf("%s\tp50\t%.1f\t%.1f\t%.1f\n", mode, median(p50Punchd), median(p50TCP), median(p50Delta))
		fmt.Printf("%s\tp99\t%.1f\t%.1f\t%.1f\n", mode, median(p99Punchd), median(p99TCP), median(p99Delta))
		if sidecars != nil {
			fmt.Printf("%s\tcpu_sidecars\t%.2f\t%.2f\t%.2f\n", mode, median(cpuSidecars), median(cpuTCP), median(cpuSidecars)/median(cpuTCP))
			fmt.Printf("%s\tcpu_client\t%.2f\t%.2f\t%.2f\n", mode, median(cpuClient), median(cpuTCP), median(cpuClient)/median(cpuTCP))
		}
		return nil
	}
	fmt.Printf("| Go client, %s | throughput A->B | %.0f MB/s | %.0f MB/s | %.3fx |\n", mode, median(abPunchd)/1e6, median(abTCP)/1e6, median(abRatio))
	fmt.Printf("| Go client, %s | throughput B->A | %.0f MB/s | %.0f MB/s | %.3fx |\n", mode, median(baPunchd)/1e6, median(baTCP)/1e6, median(baRatio))
	fmt.Printf("| Go client, %s | ping-pong 1 KiB p50 | %.0f us | %.0f us | +%.0f us |\n", mode, median(p50Punchd), median(p50TCP), median(p50Delta))
	fmt.Printf("| Go client, %s | ping-pong 1 KiB p99 | %.0f us | %.0f us | +%.0f us |\n", mode, median(p99Punchd), median(p99TCP), median(p99Delta))
	if sidecars != nil {
		fmt.Printf("| Go client, %s | CPU ms per MB, both sidecars | %.2f | %.2f (TCP pair) | %.2fx |\n", mode, median(cpuSidecars), median(cpuTCP), median(cpuSidecars)/median(cpuTCP))
		fmt.Printf("| Go client, %s | CPU ms per MB, this client | %.2f | %.2f (TCP pair) | %.2fx |\n", mode, median(cpuClient), median(cpuTCP), median(cpuClient)/median(cpuTCP))
	}
	return nil
}

// clientCPU is the CPU time (user + system) this process has used.
func clientCPU() time.Duration {
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		panic(err) // RUSAGE_SELF cannot fail on Linux
	}
	return time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
}

// processCPU is the CPU time (user + system) the given processes have used, from /proc/PID/stat (0 for none).
func processCPU(pids []int) (time.Duration, error) {
	const ticksPerSecond = 100 // USER_HZ, fixed at 100 on Linux's user ABI
	var total time.Duration
	for _, pid := range pids {
		stat, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			return 0, err
		}
		// The fields after the command's closing parenthesis; utime and stime are the 12th and 13th of them.
		fields := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+1:]))
		if len(fields) < 13 {
			return 0, fmt.Errorf("/proc/%d/stat: %d fields after the command, expected at least 13", pid, len(fields))
		}
		for _, field := range fields[11:13] {
			ticks, err := strconv.ParseInt(field, 10, 64)
			if err != nil {
				return 0, fmt.Errorf("/proc/%d/stat: %v", pid, err)
			}
			total += time.Duration(ticks) * time.Second / ticksPerSecond
		}
	}
	return total, nil
}

// msPerMB is CPU milliseconds per 10^6 bytes moved.
func msPerMB(cpu time.Duration, bytes int64) float64 {
	return cpu.Seconds() * 1000 / (float64(bytes) / 1e6)
}

// pair is one punched connection with a Stream open on each side.
type pair struct {
	a, b punchdv1.HolePunch_StreamClient
}

func connect(apiA, apiB string, mode punchdv1.SecurityMode) (*pair, error) {
	clientA, err := dial(apiA)
	if err != nil {
		return nil, err
	}
	clientB, err := dial(apiB)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	options := &punchdv1.ConnectionOptions{Security: mode}
	ownA, err := clientA.GetAddresses(ctx, &punchdv1.GetAddressesRequest{Options: options})
	if err != nil {
		return nil, err
	}
	ownB, err := clientB.GetAddresses(ctx, &punchdv1.GetAddressesRequest{Options: options})
	if err != nil {
		return nil, err
	}
	eventsA, err := clientA.Events(ctx, &punchdv1.EventsRequest{ConnectionId: ownA.ConnectionId})
	if err != nil {
		return nil, err
	}
	eventsB, err := clientB.Events(ctx, &punchdv1.EventsRequest{ConnectionId: ownB.ConnectionId})
	if err != nil {
		return nil, err
	}
	for _, attempt := range []struct {
		client punchdv1.HolePunchClient
		own    *punchdv1.GetAddressesResponse
		peer   *punchdv1.GetAddressesResponse
	}{{clientA, ownA, ownB}, {clientB, ownB, ownA}} {
		if _, err := attempt.client.AttemptConnection(ctx, &punchdv1.AttemptConnectionRequest{
			ConnectionId:    attempt.own.ConnectionId,
			PeerAddresses:   append(attempt.peer.LocalAddresses, attempt.peer.PublicAddresses...),
			PeerFingerprint: attempt.peer.Fingerprint,
		}); err != nil {
			return nil, err
		}
	}
	for _, events := range []punchdv1.HolePunch_EventsClient{eventsA, eventsB} {
		event, err := events.Recv()
		if err != nil {
			return nil, err
		}
		if event.GetEstablished() == nil {
			return nil, fmt.Errorf("expected Established, got %v", event)
		}
	}
	streamA, err := openStream(clientA, ownA.ConnectionId)
	if err != nil {
		return nil, err
	}
	streamB, err := openStream(clientB, ownB.ConnectionId)
	if err != nil {
		return nil, err
	}
	return &pair{streamA, streamB}, nil
}

func dial(api string) (punchdv1.HolePunchClient, error) {
	// grpc-java's default 1 MiB flow-control window (grpc-go starts at 64 KiB and grows it by estimating the
	// bandwidth-delay product, which on a loaded machine makes every 64 KiB wait for a window update).
	conn, err := grpc.Dial(api, grpc.WithInsecure(), grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(4<<20)),
		grpc.WithInitialWindowSize(1<<20), grpc.WithInitialConnWindowSize(1<<20))
	if err != nil {
		return nil, err
	}
	return punchdv1.NewHolePunchClient(conn), nil
}

func openStream(client punchdv1.HolePunchClient, id string) (punchdv1.HolePunch_StreamClient, error) {
	stream, err := client.Stream(context.Background())
	if err != nil {
		return nil, err
	}
	return stream, stream.Send(&punchdv1.StreamRequest{ConnectionId: id})
}

// A writer sends one message; a reader returns the bytes of the next one.
type writer func([]byte) error
type reader func() (int, error)

func streamWriter(s punchdv1.HolePunch_StreamClient) writer {
	return func(b []byte) error { return s.Send(&punchdv1.StreamRequest{Data: b}) }
}

func streamReader(s punchdv1.HolePunch_StreamClient) reader {
	return func() (int, error) {
		response, err := s.Recv()
		if err != nil {
			return 0, err
		}
		return len(response.Data), nil
	}
}

func tcpWriter(c net.Conn) writer {
	return func(b []byte) error { _, err := c.Write(b); return err }
}

func tcpReader(c net.Conn) reader {
	buffer := make([]byte, messageSize)
	return func() (int, error) { return c.Read(buffer) }
}

func echoAll(s punchdv1.HolePunch_StreamClient) {
	for {
		response, err := s.Recv()
		if err != nil {
			return
		}
		if s.Send(&punchdv1.StreamRequest{Data: response.Data}) != nil {
			return
		}
	}
}

func tcpPair() (net.Conn, net.Conn, error) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, nil, err
	}
	defer listener.Close()
	dialled, err := net.Dial("tcp", listener.Addr().String())
	if err != nil {
		return nil, nil, err
	}
	accepted, err := listener.Accept()
	return dialled, accepted, err
}

// throughput sends 16 MiB operations for about span and returns bytes per second and the bytes moved.
func throughput(send writer, receive reader, span time.Duration) (float64, int64, error) {
	message := make([]byte, messageSize)
	received := make(chan error, 1)
	start := time.Now()
	var total int64
	for time.Since(start) < span {
		go func() {
			for got := 0; got < opBytes; {
				n, err := receive()
				if err != nil {
					received <- err
					return
				}
				got += n
			}
			received <- nil
		}()
		for sent := 0; sent < opBytes; sent += messageSize {
			if err := send(message); err != nil {
				return 0, 0, err
			}
		}
		if err := <-received; err != nil {
			return 0, 0, err
		}
		total += opBytes
	}
	return float64(total) / time.Since(start).Seconds(), total, nil
}

// pingPong returns round-trip times in microseconds of 1 KiB echoed back, for about span.
func pingPong(send writer, receive reader, span time.Duration) ([]float64, error) {
	message := make([]byte, pingSize)
	var samples []float64
	start := time.Now()
	for time.Since(start) < span {
		t0 := time.Now()
		if err := send(message); err != nil {
			return nil, err
		}
		for got := 0; got < pingSize; {
			n, err := receive()
			if err != nil {
				return nil, err
			}
			got += n
		}
		samples = append(samples, float64(time.Since(t0).Nanoseconds())/1e3)
	}
	return samples, nil
}

func percentile(samples []float64, p float64) float64 {
	sorted := append([]float64(nil), samples...)
	sort.Float64s(sorted)
	return sorted[int(float64(len(sorted)-1)*p/100)]
}

func median(values []float64) float64 {
	return percentile(values, 50)
}
