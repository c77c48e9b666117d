package tuf

import (
	"context"
	"errors"
	"fmt"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// Rotation describes a new root version. OldRootKeys must meet the current root threshold;
// the new root is also signed by every key in NewRootKeys (when the root key set is unchanged,
// OldRootKeys must also meet the kept threshold), so a client can chain from the previous root
// to this one.
type Rotation struct {
	OldRootKeys     []*Signer
	NewRootKeys     []*Signer // nil keeps the current root keys
	RootThreshold   int       // 0 keeps the current threshold
	NewTargetsKey   *Signer   // nil keeps the targets key
	NewTimestampKey *Signer   // nil keeps the timestamp key
}

// Rotate publishes root version N+1 with the rotated keys and re-signs what the rotated online
// keys signed: every targets role for a new targets key, the timestamp for a new timestamp key.
func (r *Repository) Rotate(ctx context.Context, o Rotation) (*UpdateStats, error) {
	r.mu.Lock()
	if err := r.requireKeys(); err != nil {
		r.mu.Unlock()
		return nil, err
	}
	old := r.root
	next := metadata.Root(r.expires(r.expiry.Root))
	next.Signed.Version = old.Signed.Version + 1
	next.Signed.ConsistentSnapshot = old.Signed.ConsistentSnapshot
	// The new root's key set: the new keys, or else the current root keys (public parts from
	// the current root, so that a threshold of holders suffices to rotate online keys).
	var rootKeys []*metadata.Key
	for _, k := range o.NewRootKeys {
		rootKeys = append(rootKeys, k.Key)
	}
	if o.NewRootKeys == nil {
		for _, id := range old.Signed.Roles[metadata.ROOT].KeyIDs {
			rootKeys = append(rootKeys, old.Signed.Keys[id])
		}
	}
	threshold := o.RootThreshold
	if threshold == 0 {
		threshold = old.Signed.Roles[metadata.ROOT].Threshold
	}
	if threshold < 1 || threshold > len(rootKeys) {
		r.mu.Unlock()
		return nil, fmt.Errorf("root threshold %d with %d root keys", threshold, len(rootKeys))
	}
	targetsK, timestampK := r.targetsK, r.timestampK
	if o.NewTargetsKey != nil {
		targetsK = o.NewTargetsKey
	}
	if o.NewTimestampKey != nil {
		timestampK = o.NewTimestampKey
	}
	add := func(k *metadata.Key, role string) error { return next.Signed.AddKey(k, role) }
	for _, k := range rootKeys {
		if err := add(k, metadata.ROOT); err != nil {
			r.mu.Unlock()
			return nil, err
		}
	}
	next.Signed.Roles[metadata.ROOT].Threshold = threshold
	errs := []error{add(targetsK.Key, metadata.TARGETS), add(timestampK.Key, metadata.TIMESTAMP), add(timestampK.Key, metadata.SNAPSHOT)}
	if err := errors.Join(errs...); err != nil {
		r.mu.Unlock()
		return nil, err
	}
	signers := map[string]*Signer{}
	for _, k := range append(append([]*Signer{}, o.OldRootKeys...), o.NewRootKeys...) {
		signers[k.ID] = k
	}
	for _, k := range signers {
		if _, err := next.Sign(k); err != nil {
			r.mu.Unlock()
			return nil, fmt.Errorf("signing root %d: %w", next.Signed.Version, err)
		}
	}
	if err := old.VerifyDelegate(metadata.ROOT, next); err != nil {
		r.mu.Unlock()
		return nil, fmt.Errorf("root %d is not signed by a threshold of root %d's keys: %w", next.Signed.Version, old.Signed.Version, err)
	}
	if err := next.VerifyDelegate(metadata.ROOT, next); err != nil {
		r.mu.Unlock()
		return nil, fmt.Errorf("root %d is not signed by a threshold of its own keys: %w", next.Signed.Version, err)
	}
	if err := writeRoot(r.dir, next); err != nil {
		r.mu.Unlock()
		return nil, err
	}
	r.root = next
	r.targetsK, r.timestampK = targetsK, timestampK
	r.mu.Unlock()
	if o.NewTargetsKey != nil && r.tree != nil {
		return r.resignAll(ctx)
	}
	if r.tree == nil {
		return &UpdateStats{}, nil
	}
	return r.Update(ctx, nil)
}

// resignAll signs the top-level targets (whose delegation names the targets key) and every
// bin again, each with a new version.
func (r *Repository) resignAll(ctx context.Context) (*UpdateStats, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	stats := &UpdateStats{}
	changed := make([]int, 0, len(r.leaves))
	for i, l := range r.leaves {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		md, err := r.readTargets(l.Name)
		if err != nil {
			return nil, err
		}
		if l.Name == metadata.TARGETS {
			md.Signed.Delegations.Keys = map[string]*metadata.Key{r.targetsK.ID: r.targetsK.Key}
			md.Signed.Delegations.SuccinctRoles = r.succinct()
		}
		md.Signed.Version++
		md.Signed.Expires = r.expires(r.expiry.Targets)
		nl, n, err := r.writeTargets(l.Name, md)
		if err != nil {
			return nil, err
		}
		stats.add(n)
		h, err := nl.Hash()
		if err != nil {
			return nil, err
		}
		r.leaves[i] = nl
		if err := r.tree.Set(i, h); err != nil {
			return nil, err
		}
		changed = append(changed, i)
	}
	if err := r.commit(stats, changed); err != nil {
		return nil, err
	}
	stats.Roles = len(changed)
	return stats, nil
}
