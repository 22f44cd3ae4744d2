package rest

import (
	"context"
	"sync"
)

// Workers bounds the per-user reads a client runs at once (user
// properties in a snapshot, groups of each user, bulk re-reads). Every
// request still waits for the client's shared rate limiter, so a run is
// bounded by the rate rather than by latency × users.
const Workers = 8

// Each calls fn(i) for i in [0, n), at most Workers at a time, and
// returns the error of the lowest i that failed (nil if none). After a
// failure no new call starts.
func Each(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	if n == 0 {
		return nil
	}
	if n == 1 {
		return fn(ctx, 0)
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, n)
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(Workers, n) {
		wg.Go(func() {
			for i := range next {
				if errs[i] = fn(ctx, i); errs[i] != nil {
					cancel()
				}
			}
		})
	}
feed:
	for i := range n {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return context.Cause(ctx)
}
