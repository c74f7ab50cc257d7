package jobs_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/adapters/jobs"
	"github.com/cicd-hub/hubgate/adapters/jobs/redistest"
)

// timeCounter counts the TIME commands a client sends.
type timeCounter struct{ n atomic.Int64 }

func (h *timeCounter) DialHook(next redis.DialHook) redis.DialHook { return next }

func (h *timeCounter) ProcessHook(next redis.ProcessHook) redis.ProcessHook {
	return func(ctx context.Context, cmd redis.Cmder) error {
		if cmd.Name() == "time" {
			h.n.Add(1)
		}
		return next(ctx, cmd)
	}
}

func (h *timeCounter) ProcessPipelineHook(next redis.ProcessPipelineHook) redis.ProcessPipelineHook {
	return next
}

// TestNowSharesOneTimeReading: concurrent decisions share one Redis TIME
// reading (one round trip, not one per decision), and the time they get is
// Redis's, extended by the local monotonic clock.
func TestNowSharesOneTimeReading(t *testing.T) {
	srv := redistest.Start(t)
	c := srv.Client(t)
	h := &timeCounter{}
	c.AddHook(h)
	s, err := jobs.NewStore(c)
	require.NoError(t, err)
	ctx := context.Background()

	var wg sync.WaitGroup
	times := make([]time.Time, 64)
	for i := range times {
		wg.Go(func() {
			now, err := s.Now(ctx)
			assert.NoError(t, err)
			times[i] = now
		})
	}
	wg.Wait()
	assert.Equal(t, int64(1), h.n.Load(), "64 concurrent decisions make one TIME call")

	redisNow, err := c.Time(ctx).Result()
	require.NoError(t, err)
	for _, got := range times {
		assert.WithinDuration(t, redisNow, got, 500*time.Millisecond)
		assert.Equal(t, time.UTC, got.Location())
	}
	later, err := s.Now(ctx)
	require.NoError(t, err)
	assert.False(t, later.Before(times[0]), "the time does not go back within one reading")
}

// TestNowRefusesAStaleReadingWhenRedisIsGone: once the reading is older
// than DefaultTimeSync, a stopped Redis is an error of the state, not a
// time made up locally.
func TestNowRefusesAStaleReadingWhenRedisIsGone(t *testing.T) {
	srv := redistest.Start(t)
	s, err := jobs.NewStore(srv.Client(t), jobs.WithTimeout(200*time.Millisecond))
	require.NoError(t, err)
	ctx := context.Background()
	_, err = s.Now(ctx)
	require.NoError(t, err)
	srv.Stop()
	time.Sleep(jobs.DefaultTimeSync + 50*time.Millisecond)
	_, err = s.Now(ctx)
	require.ErrorIs(t, err, jobs.ErrState)
	assert.Contains(t, err.Error(), "redis TIME")
}
