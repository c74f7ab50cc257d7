package jobs

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/redis/go-redis/v9"
	"golang.org/x/sync/singleflight"
)

var (
	//go:embed admit.lua
	admitLua string
	//go:embed heartbeat.lua
	heartbeatLua string
	//go:embed release.lua
	releaseLua string

	admitScript     = redis.NewScript(admitLua)
	heartbeatScript = redis.NewScript(heartbeatLua)
	releaseScript   = redis.NewScript(releaseLua)
)

// ErrState is wrapped by every error about the shared state: Redis could
// not be reached, or answered something this package does not understand.
var ErrState = errors.New("admission state")

// Clock gives the time in tests. Production uses Redis TIME, so that every
// replica reads one clock.
type Clock func() time.Time

// Store holds the stateful limits (leases, token buckets) in Redis. Every
// decision is one Lua script, atomic on the server: there is no
// read-then-write from Go. It is safe for concurrent use.
type Store struct {
	rdb     redis.Scripter
	clock   Clock
	timeout time.Duration

	// sync is the last Redis TIME reading and the local monotonic time it
	// was taken at: [Store.Now] extends it with the local clock's elapsed
	// time for up to timeSync, instead of a round trip per decision.
	sync     atomic.Pointer[timeReading]
	syncs    singleflight.Group
	timeSync time.Duration
}

// timeReading is one Redis TIME answer.
type timeReading struct {
	redis time.Time // what Redis said
	local time.Time // time.Now() when it answered (monotonic)
}

// DefaultTimeSync is how long one Redis TIME reading serves a decision's
// time (extended by the local monotonic clock). The limits never read it:
// every script reads Redis TIME itself.
const DefaultTimeSync = time.Second

// StoreOption configures [NewStore].
type StoreOption func(*Store) error

// WithClock makes the store read time from c instead of Redis TIME. For
// tests only.
func WithClock(c Clock) StoreOption {
	return func(s *Store) error {
		if c == nil {
			return errors.New("jobs: WithClock: nil clock")
		}
		s.clock = c
		return nil
	}
}

// WithTimeout bounds each call to Redis (default [DefaultTimeout]).
func WithTimeout(d time.Duration) StoreOption {
	return func(s *Store) error {
		if d <= 0 {
			return fmt.Errorf("jobs: WithTimeout: %v is not positive", d)
		}
		s.timeout = d
		return nil
	}
}

// DefaultTimeout bounds one call to Redis.
const DefaultTimeout = 500 * time.Millisecond

// NewStore uses rdb (a *redis.Client, or any go-redis client that runs
// scripts).
func NewStore(rdb redis.Scripter, opts ...StoreOption) (*Store, error) {
	if rdb == nil {
		return nil, errors.New("jobs: NewStore: nil Redis client")
	}
	s := &Store{rdb: rdb, timeout: DefaultTimeout, timeSync: DefaultTimeSync}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// nowArg is the script's now: "" for Redis TIME, else the clock's, in µs.
func (s *Store) nowArg() string {
	if s.clock == nil {
		return ""
	}
	return strconv.FormatInt(s.clock().UnixMicro(), 10)
}

// Now is the store's time: Redis TIME, or the injected clock. A Redis
// reading serves for [DefaultTimeSync], extended by the local monotonic
// clock (a drift of microseconds), so a decision costs one round trip to
// Redis, its script, not two. It is only the decision's time (waiver
// expiry, the log line); the limits are judged on the script's own TIME.
func (s *Store) Now(ctx context.Context) (time.Time, error) {
	if s.clock != nil {
		return s.clock().UTC(), nil
	}
	if r := s.fresh(); r != nil {
		return r.redis.Add(time.Since(r.local)), nil
	}
	// One TIME call refreshes the reading for every decision waiting on
	// it; each waits no longer than its own context allows.
	ch := s.syncs.DoChan("time", func() (any, error) {
		// A call that found the reading stale just before another call's
		// TIME refreshed it shares that refresh.
		if r := s.fresh(); r != nil {
			return r, nil
		}
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.timeout)
		defer cancel()
		c, ok := s.rdb.(interface {
			Time(context.Context) *redis.TimeCmd
		})
		if !ok {
			return nil, fmt.Errorf("%w: the Redis client cannot run TIME", ErrState)
		}
		t, err := c.Time(ctx).Result()
		if err != nil {
			return nil, fmt.Errorf("%w: redis TIME: %w", ErrState, err)
		}
		r := &timeReading{redis: t.UTC(), local: time.Now()}
		s.sync.Store(r)
		return r, nil
	})
	select {
	case res := <-ch:
		if res.Err != nil {
			return time.Time{}, res.Err
		}
		r := res.Val.(*timeReading)
		return r.redis.Add(time.Since(r.local)), nil
	case <-ctx.Done():
		return time.Time{}, fmt.Errorf("%w: redis TIME: %w", ErrState, ctx.Err())
	}
}

// fresh is the time reading when it is younger than the time sync, nil
// otherwise.
func (s *Store) fresh() *timeReading {
	r := s.sync.Load()
	if r == nil {
		return nil
	}
	if d := time.Since(r.local); d < 0 || d >= s.timeSync {
		return nil
	}
	return r
}

// Slot is what the admit script asks for.
type Slot struct {
	Repo, Workflow, Job, Run, Attempt string
	TTL                               time.Duration
	MaxRepo, MaxWorkflow, MaxJob      int // MaxWorkflow, MaxJob: 0 = none
	Capacity                          int // 0 = no token bucket
	RefillPerMinute                   float64
}

// Status is the outcome of one script.
type Status string

// The statuses the scripts return.
const (
	StatusAdmitted Status = "admitted" // a new lease
	StatusExisting Status = "existing" // the attempt's live lease, unchanged
	StatusDenied   Status = "denied"   // a limit was met
	StatusConflict Status = "conflict" // the attempt id holds a lease for another job
	StatusRenewed  Status = "renewed"
	StatusExpired  Status = "expired"
	StatusReleased Status = "released"
	StatusUnknown  Status = "unknown"
)

// Grant is the admit script's answer.
type Grant struct {
	Status Status
	// Limit is the limit met when denied: repo, workflow, job, rate.
	Limit string
	// Value is the limit's value, Current its use.
	Value, Current float64
	// ExpectedAt is when a slot or token is expected at the latest.
	ExpectedAt time.Time
	// LeaseExpires is the lease's expiry when admitted or existing.
	LeaseExpires time.Time
	// Now is the time the script decided at.
	Now time.Time
}

// Admit runs the admit script: prune expired leases, return the attempt's
// live lease if it has one, else check the repo, workflow and job budgets
// and the token bucket, and take a lease.
func (s *Store) Admit(ctx context.Context, sl Slot) (Grant, error) {
	if sl.TTL < time.Millisecond || sl.MaxRepo < 1 || sl.MaxWorkflow < 0 || sl.MaxJob < 0 || sl.Capacity < 0 || (sl.Capacity > 0 && !(sl.RefillPerMinute > 0)) {
		return Grant{}, fmt.Errorf("jobs: admit: bad limits %+v", sl)
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	v, err := admitScript.Run(ctx, s.rdb, nil, s.nowArg(), sl.Attempt, sl.Repo, sl.Workflow, sl.Job, sl.Run,
		sl.TTL.Milliseconds(), sl.MaxRepo, sl.MaxWorkflow, sl.MaxJob, sl.Capacity,
		strconv.FormatFloat(sl.RefillPerMinute, 'g', -1, 64)).Slice()
	if err != nil {
		return Grant{}, fmt.Errorf("%w: redis: %w", ErrState, err)
	}
	if len(v) != 7 {
		return Grant{}, fmt.Errorf("%w: admit script returned %d values, want 7", ErrState, len(v))
	}
	g := Grant{Status: Status(str(v[0])), Limit: str(v[1]), Value: flt(v[2]), Current: flt(v[3])}
	if us := flt(v[4]); us > 0 {
		g.ExpectedAt = time.UnixMicro(int64(us)).UTC()
	}
	if us := flt(v[5]); us > 0 {
		g.LeaseExpires = time.UnixMicro(int64(us)).UTC()
	}
	g.Now = time.UnixMicro(int64(flt(v[6]))).UTC()
	return g, nil
}

// Heartbeat renews the attempt's lease by the TTL it was admitted with; an
// expired or unknown lease stays gone (StatusExpired): the job must ask
// again.
func (s *Store) Heartbeat(ctx context.Context, attempt string) (Status, time.Time, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	v, err := heartbeatScript.Run(ctx, s.rdb, nil, s.nowArg(), attempt).Slice()
	if err != nil {
		return "", time.Time{}, fmt.Errorf("%w: redis: %w", ErrState, err)
	}
	if len(v) != 3 {
		return "", time.Time{}, fmt.Errorf("%w: heartbeat script returned %d values, want 3", ErrState, len(v))
	}
	var exp time.Time
	if us := flt(v[1]); us > 0 {
		exp = time.UnixMicro(int64(us)).UTC()
	}
	return Status(str(v[0])), exp, nil
}

// Release frees the attempt's slots at once. Releasing an unknown attempt
// returns StatusUnknown and no error.
func (s *Store) Release(ctx context.Context, attempt string) (Status, error) {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	v, err := releaseScript.Run(ctx, s.rdb, nil, attempt).Slice()
	if err != nil {
		return "", fmt.Errorf("%w: redis: %w", ErrState, err)
	}
	if len(v) != 1 {
		return "", fmt.Errorf("%w: release script returned %d values, want 1", ErrState, len(v))
	}
	return Status(str(v[0])), nil
}

func str(x any) string {
	s, _ := x.(string)
	return s
}

func flt(x any) float64 {
	switch v := x.(type) {
	case int64:
		return float64(v)
	case string:
		f, _ := strconv.ParseFloat(v, 64)
		return f
	}
	return 0
}
