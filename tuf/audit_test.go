package tuf

import (
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/cratewatch/cratewatch/tuf/merkle"
)

func (fx *fixture) auditor() *Auditor {
	return &Auditor{MetadataURL: fx.srv.URL + "/tuf/"}
}

func TestAuditHonestHistory(t *testing.T) {
	fx := newFixture(t, KeyEd25519, 1, 1)
	ctx := context.Background()
	fx.sign(fx.publish("serde", "1.0.2", false))
	fx.sign(fx.publish("rand", "0.9.0", false), fx.publish("a", "0.2.0", false))
	st, err := NewAuditState(fx.rootJSON)
	must(t, err)
	rep, err := fx.auditor().Audit(ctx, st)
	must(t, err)
	if rep.From != 1 || rep.To != 3 || st.TreeVersion != 3 || len(st.Leaves) != 9 {
		t.Fatalf("report %+v, state at tree %d with %d leaves", rep, st.TreeVersion, len(st.Leaves))
	}
	// Timestamp key rotation, refresh and more publishing; the next run continues from tree 3.
	_, err = fx.repo.Rotate(ctx, Rotation{OldRootKeys: fx.rootKeys, NewTimestampKey: mustKey(t, KeyECDSAP256)})
	must(t, err)
	fx.sign()
	fx.sign(fx.publish("serde", "1.0.3", false))
	rep, err = fx.auditor().Audit(ctx, st)
	must(t, err)
	if rep.From != 4 || rep.To != 6 || rep.KeyResets != 1 {
		t.Fatalf("second run %+v", rep)
	}
	rep, err = fx.auditor().Audit(ctx, st)
	must(t, err)
	if rep.To != 6 || rep.From != 7 {
		t.Fatalf("idle run %+v", rep)
	}
}

// forgeTree publishes, as a thief of the timestamp key would, tree v+1 whose leaves are the
// current ones with changes applied, signed with the current timestamp key.
func (fx *fixture) forgeTree(change func([]Leaf) []DeltaChange) {
	r := fx.repo
	leaves := slices.Clone(r.leaves)
	changes := change(leaves)
	tree := must2(fx.t, func() (*merkle.Tree, error) { return leafTree(leaves) })
	v := r.tsVersion + 1
	d := must2(fx.t, func() ([]byte, error) {
		return canonical(Delta{TreeVersion: v, TreeSize: len(leaves), Changes: changes})
	})
	ts := metadata.Timestamp(fx.now.Add(DefaultExpiry.Timestamp))
	ts.Signed.Version = v
	ts.Signed.Meta = map[string]*metadata.MetaFiles{snapshotMeta: metadata.MetaFile(v)}
	root := tree.Root()
	ts.Signed.UnrecognizedFields = map[string]any{merkleRootKey: hex.EncodeToString(root[:])}
	_, err := ts.Sign(fx.tsK)
	must(fx.t, err)
	data := must2(fx.t, func() ([]byte, error) { return ts.ToBytes(false) })
	fx.attack("/tuf/timestamp.json", data)
	fx.attack(fmt.Sprintf("/tuf/%d.timestamp.json", v), data)
	fx.attack(fmt.Sprintf("/tuf/snapshot/%d.delta.json", v), d)
}

func TestAuditDetectsRollbackByStolenTimestampKey(t *testing.T) {
	fx := newFixture(t, KeyEd25519, 1, 1)
	bin := fx.binOf("serde")
	old := fx.repo.leaves[fx.repo.leafIndex[bin]]
	fx.sign(fx.publish("serde", "1.0.2", false)) // serde's bin is now at version 2
	st, err := NewAuditState(fx.rootJSON)
	must(t, err)
	rep, err := fx.auditor().Audit(context.Background(), st)
	must(t, err)
	t.Logf("first %+v %d", rep, st.TreeVersion)

	fx.forgeTree(func(leaves []Leaf) []DeltaChange {
		i := fx.repo.leafIndex[bin]
		leaves[i] = old // back to the bin without serde 1.0.2
		return []DeltaChange{{Index: i, Leaf: old}}
	})
	_, err = fx.auditor().Audit(context.Background(), st)
	if !errors.Is(err, ErrRollback) {
		t.Fatalf("audit: %v", err)
	}
	t.Logf("audit: %v", err)
	if st.TreeVersion != 2 {
		t.Fatalf("state advanced to tree %d past the rollback", st.TreeVersion)
	}
}

func TestAuditDetectsLyingDelta(t *testing.T) {
	fx := newFixture(t, KeyEd25519, 1, 1)
	st, err := NewAuditState(fx.rootJSON)
	must(t, err)
	_, err = fx.auditor().Audit(context.Background(), st)
	must(t, err)
	fx.sign(fx.publish("serde", "1.0.2", false))
	// The served delta claims nothing changed, but the signed root moved.
	fx.attack("/tuf/snapshot/2.delta.json", []byte(fmt.Sprintf(`{"changes":[],"tree_size":%d,"tree_version":2}`, len(fx.repo.leaves))))
	_, err = fx.auditor().Audit(context.Background(), st)
	if !errors.Is(err, ErrMerkle) {
		t.Fatalf("audit: %v", err)
	}
	t.Logf("audit: %v", err)
}
