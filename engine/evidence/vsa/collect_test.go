package vsa_test

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/cicd-hub/hubgate/engine/evidence"
	evsa "github.com/cicd-hub/hubgate/engine/evidence/vsa"
	"github.com/cicd-hub/hubgate/engine/registry"
	"github.com/cicd-hub/hubgate/engine/vsa"
	"github.com/cicd-hub/hubgate/policy"
)

var now = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

const (
	hexA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	hexB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
)

func signed(t *testing.T, k *vsa.Key, hex string, at time.Time) []byte {
	t.Helper()
	d := &policy.Decision{Repo: "acme/app", Allowed: true, Outcome: policy.OutcomePass, Time: at,
		Policy: policy.PolicyRef{Digest: "sha256:" + strings.Repeat("1", 64)}}
	b, err := vsa.Sign(d, policy.Subject{Name: "app", Digest: policy.Digest{"sha256": hex}}, k, vsa.Options{})
	require.NoError(t, err)
	return b
}

func env(t *testing.T, keys ...*vsa.Key) *evidence.Env {
	t.Helper()
	var pems []string
	for _, k := range keys {
		pems = append(pems, string(k.Public().MarshalPEM()))
	}
	src := `repos: "acme/app": vsa: keys: [` + strings.Join(quoteAll(pems), ", ") + `]`
	reg, err := registry.Load(fstest.MapFS{"r.cue": {Data: []byte(src)}}, "r.cue")
	require.NoError(t, err)
	repo, err := reg.Repo("acme/app")
	require.NoError(t, err)
	return &evidence.Env{Repo: "acme/app", Now: now, Config: repo,
		Subjects: []policy.Subject{{Name: "app", Digest: policy.Digest{"sha256": hexA}}}}
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = `"""` + "\n" + s + `"""`
	}
	return out
}

func collect(t *testing.T, e *evidence.Env, files ...[]byte) *evsa.Facts {
	t.Helper()
	var items []evidence.Item
	for i, b := range files {
		items = append(items, evidence.Item{Kind: policy.KindVSA, Path: "s" + string(rune('0'+i)), Data: b})
	}
	e.Evidence = items
	return evsa.Collect(context.Background(), e, items).(*evsa.Facts)
}

func TestCollect(t *testing.T) {
	ci, err := vsa.GenerateKey(vsa.AlgorithmECDSAP256)
	require.NoError(t, err)
	other, err := vsa.GenerateKey(vsa.AlgorithmEd25519)
	require.NoError(t, err)

	f := collect(t, env(t, ci), signed(t, ci, hexA, now.Add(-time.Hour)))
	require.Len(t, f.Summaries, 1, "%+v", f.Problems)
	s := f.Summaries[0]
	assert.True(t, s.Verified, s.Error)
	assert.Equal(t, "sha256:"+hexA, s.Digest)
	assert.Equal(t, ci.Public().ID(), s.KeyID)
	assert.Equal(t, "acme/app", s.Repo)
	assert.Equal(t, vsa.ResultPassed, s.Result)
	assert.Equal(t, now.Add(-time.Hour).UnixNano(), s.TimeVerifiedNS)
	assert.Equal(t, []string{ci.Public().ID()}, f.Keys)
	assert.Empty(t, f.Problems)

	// Another key signed it: not verified, and no claim is read.
	s = collect(t, env(t, ci), signed(t, other, hexA, now)).Summaries[0]
	assert.False(t, s.Verified)
	assert.Contains(t, s.Error, "not signed by a trusted key")
	assert.Empty(t, s.Repo)
	assert.Empty(t, s.Result)

	// The trusted key signed a summary of another digest.
	s = collect(t, env(t, ci), signed(t, ci, hexB, now)).Summaries[0]
	assert.False(t, s.Verified)
	assert.Contains(t, s.Error, "about sha256:"+hexB)

	// No keys in the registry: fail closed.
	s = collect(t, env(t), signed(t, ci, hexA, now)).Summaries[0]
	assert.False(t, s.Verified)
	assert.Contains(t, s.Error, "vsa.keys lists none")

	// Not a bundle.
	s = collect(t, env(t, ci), []byte(`{"not":"a bundle"}`)).Summaries[0]
	assert.False(t, s.Verified)
	assert.NotEmpty(t, s.Error)

	// Verified after the evaluation time: a problem.
	f = collect(t, env(t, ci), signed(t, ci, hexA, now.Add(time.Hour)))
	require.Len(t, f.Problems, 1)
	assert.Contains(t, f.Problems[0].Message, "after the evaluation time")
}
