package bench

import (
	"context"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// pool runs do(i) for i = 1..n on c concurrent clients, each taking the next
// i as soon as it is free, until all are done or ctx is.
func pool(ctx context.Context, n, c int, do func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range c {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1))
				if i > n || ctx.Err() != nil {
					return
				}
				do(i)
			}
		}()
	}
	wg.Wait()
}

// Latencies collects durations from concurrent clients.
type Latencies struct {
	mu sync.Mutex
	ds []time.Duration
}

// Add records one duration.
func (l *Latencies) Add(d time.Duration) {
	l.mu.Lock()
	l.ds = append(l.ds, d)
	l.mu.Unlock()
}

// Summary is a set of durations in milliseconds.
type Summary struct {
	Count int     `json:"count"`
	P50   float64 `json:"p50_ms"`
	P99   float64 `json:"p99_ms"`
	Max   float64 `json:"max_ms"`
	Mean  float64 `json:"mean_ms"`
}

// Summary sorts what was collected and gives its percentiles (nearest rank).
func (l *Latencies) Summary() Summary {
	l.mu.Lock()
	ds := slices.Clone(l.ds)
	l.mu.Unlock()
	if len(ds) == 0 {
		return Summary{}
	}
	slices.Sort(ds)
	var sum time.Duration
	for _, d := range ds {
		sum += d
	}
	return Summary{Count: len(ds), P50: ms(percentile(ds, 50)), P99: ms(percentile(ds, 99)),
		Max: ms(ds[len(ds)-1]), Mean: ms(sum / time.Duration(len(ds)))}
}

// percentile is the nearest-rank percentile p of sorted ds.
func percentile(ds []time.Duration, p float64) time.Duration {
	rank := int(math.Ceil(p / 100 * float64(len(ds))))
	if rank < 1 {
		rank = 1
	}
	return ds[rank-1]
}

func ms(d time.Duration) float64 { return math.Round(float64(d.Microseconds())) / 1000 }

// rate is count per second over d, 0 when d is 0.
func rate(count int, d time.Duration) float64 {
	if d <= 0 {
		return 0
	}
	return float64(count) / d.Seconds()
}

// ratio is a/b, NaN-free: 0 when b is 0.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}
