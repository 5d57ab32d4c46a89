package main

import (
	"context"

	"github.com/weirhq/weir/auth"
	"github.com/weirhq/weir/engine"
)

// openExperience returns the sign-in of experience users: tokens signed
// under a key derived from the instance's, failed sign-ins counted per
// email and per address across the cluster (through NATS when there is
// one, so that a second process does not grant a locked-out email its own
// attempts).
func (m *Main) openExperience(ctx context.Context) (*engine.Experience, error) {
	a := &auth.Experience{Users: m.inst.DB, Key: m.inst.Signer.Key}
	users, err := m.limiterPer(ctx, "signin_users", auth.DefaultUserFailures, auth.DefaultFailureWindow)
	if err != nil {
		return nil, err
	}
	sources, err := m.limiterPer(ctx, "signin_sources", auth.DefaultSourceFailures, auth.DefaultFailureWindow)
	if err != nil {
		return nil, err
	}
	// limiterPer gives a ratelimit.Limiter or a nats.Limiter: both can Peek.
	a.UserFailures, a.SourceFailures = users.(auth.Limiter), sources.(auth.Limiter)
	return &engine.Experience{Users: m.inst.DB, Groups: m.inst.DB, Auth: a}, nil
}
