package evidence

import (
	"io/fs"
	"sync"
)

// Cache is shared by every collector of one evaluation: each file is read
// once, and each parsed document (an SBOM, a VEX document, a trusted root)
// is parsed once and shared between the kinds that need it. It is safe for
// concurrent use. A nil *Cache caches nothing.
type Cache struct {
	opener Opener
	mu     sync.Mutex
	m      map[string]*cacheEntry
}

type cacheEntry struct {
	once sync.Once
	v    any
}

// NewCache returns an empty cache reading files through open (nil means
// [DefaultOpener]).
func NewCache(open Opener) *Cache {
	if open == nil {
		open = DefaultOpener
	}
	return &Cache{opener: open, m: map[string]*cacheEntry{}}
}

// Do returns the value stored under key, computing it with fn the first
// time. Concurrent callers of one key wait for the first one's fn. Keys are
// namespaced by their caller ("sbom\x00"+path, say).
func (c *Cache) Do(key string, fn func() any) any {
	if c == nil {
		return fn()
	}
	c.mu.Lock()
	e, ok := c.m[key]
	if !ok {
		e = &cacheEntry{}
		c.m[key] = e
	}
	c.mu.Unlock()
	e.once.Do(func() { e.v = fn() })
	return e.v
}

func (c *Cache) open(name string) (fs.File, error) {
	if c == nil || c.opener == nil {
		return DefaultOpener(name)
	}
	return c.opener(name)
}
