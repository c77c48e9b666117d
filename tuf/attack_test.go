package tuf

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/cratewatch/cratewatch/index"
)

// expectAttack runs a verification of serde that must fail with class want and a message
// containing every fragment.
func expectAttack(t *testing.T, c *Client, want error, fragments ...string) {
	t.Helper()
	_, err := c.Verify(context.Background(), "serde", "1.0.0", true)
	if err == nil {
		t.Fatalf("attack not detected, want %v", want)
	}
	if !errors.Is(err, want) {
		t.Fatalf("error %q is not %v", err, want)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Fatalf("error %q does not mention %q", err, f)
		}
	}
	t.Logf("rejected: %v", err)
}

// proofURL is the path of role's proof in the current tree.
func (fx *fixture) proofURL(role string) string {
	return fmt.Sprintf("/tuf/snapshot/%d/%s.proof.json", fx.repo.TreeVersion(), role)
}

func (fx *fixture) binOf(name string) string {
	return fx.repo.succinct().GetRolesForTarget(index.Path(name))[0].Name
}

func TestAttackTamperedIndexFile(t *testing.T) {
	fx := newFixture(t, KeyEd25519, 1, 1)
	real := fx.fetchIndex("serde")
	// Same length, one checksum digit changed: the .crate it points to would be another.
	forged := bytes.Replace(real, []byte(`"cksum":"`), []byte(`"cksum":"0`), 1)
	forged = forged[:len(real)]
	fx.attack("/index/se/rd/serde", forged)
	expectAttack(t, fx.client(nil), ErrMismatch, "index file se/rd/serde")
	fx.attack("/index/se/rd/serde", append(real, real...))
	expectAttack(t, fx.client(nil), ErrMismatch, "longer than the signed")
}

func (fx *fixture) fetchIndex(name string) []byte {
	rec := must2(fx.t, func() ([]byte, error) { return readBounded(fx.indexDir+"/"+index.Path(name), 1<<20) })
	return rec
}

func must2[T any](t testing.TB, f func() (T, error)) T {
	t.Helper()
	v, err := f()
	must(t, err)
	return v
}

func TestAttackArbitraryCrateSubstitution(t *testing.T) {
	fx := newFixture(t, KeyEd25519, 1, 1)
	fx.attack("/dl/serde/1.0.0/download", crateBytes("evil", "6.6.6"))
	expectAttack(t, fx.client(nil), ErrMismatch, "crate serde 1.0.0", "verified index line")

	// Serving another crate's (correctly signed) index file under serde's path.
	fx.heal()
	fx.attack("/index/se/rd/serde", fx.fetchIndex("rand"))
	expectAttack(t, fx.client(nil), ErrMismatch, "index file se/rd/serde")
}

func TestAttackRollback(t *testing.T) {
	fx := newFixture(t, KeyEd25519, 1, 1)
	bin := fx.binOf("serde")
	oldTS := fx.fetchServed("/tuf/timestamp.json")
	oldBinURL, oldTargetsURL := fx.proofURL(bin), fx.proofURL("targets")
	oldBinProof, oldTargetsProof := fx.fetchServed(oldBinURL), fx.fetchServed(oldTargetsURL)
	oldIndex := fx.fetchIndex("serde")

	fx.sign(fx.publish("serde", "1.0.2", false))
	c := fx.client(nil)
	if _, err := c.Verify(context.Background(), "serde", "1.0.2", true); err != nil {
		t.Fatal(err)
	}

	// The index file alone rolled back: its hash is not the signed one.
	fx.attack("/index/se/rd/serde", oldIndex)
	expectAttack(t, c, ErrMismatch, "index file se/rd/serde")

	// The whole old, still unexpired, repository state replayed to a client that saw newer.
	fx.heal()
	fx.attack("/tuf/timestamp.json", oldTS)
	fx.attack(oldBinURL, oldBinProof)
	fx.attack(oldTargetsURL, oldTargetsProof)
	fx.attack("/index/se/rd/serde", oldIndex)
	expectAttack(t, c, ErrRollback, "timestamp.json", "older than version 2")
}

func TestAttackFreeze(t *testing.T) {
	fx := newFixture(t, KeyEd25519, 1, 1)
	fx.now = fx.now.Add(25 * time.Hour) // the repository stopped re-signing the timestamp
	expectAttack(t, fx.client(nil), ErrExpired, "timestamp.json version 1", "freeze")
	// Re-signing brings it back.
	fx.sign()
	if _, err := fx.client(nil).Verify(context.Background(), "serde", "1.0.0", true); err != nil {
		t.Fatal(err)
	}
}

func TestAttackMixAndMatch(t *testing.T) {
	fx := newFixture(t, KeyEd25519, 1, 1)
	bin := fx.binOf("serde")
	oldProof := fx.fetchServed(fx.proofURL(bin))
	fx.sign(fx.publish("serde", "1.0.2", false))

	fx.attack(fx.proofURL(bin), oldProof)
	expectAttack(t, fx.client(nil), ErrMerkle, "mix-and-match")

	// The same proof relabelled as coming from the current tree: the path no longer leads to
	// the signed root.
	var p Proof
	must(t, json.Unmarshal(oldProof, &p))
	p.TreeVersion = 2
	relabelled := must2(t, func() ([]byte, error) { return canonical(p) })
	fx.attack(fx.proofURL(bin), relabelled)
	expectAttack(t, fx.client(nil), ErrMerkle, "not the signed root")

	// A proof of another bin offered for serde's bin.
	other := "bin-0"
	if bin == other {
		other = "bin-1"
	}
	fx.attack(fx.proofURL(bin), fx.fetchServed(fx.proofURL(other)))
	expectAttack(t, fx.client(nil), ErrMerkle, "proves role")
}

func TestAttackEndlessData(t *testing.T) {
	fx := newFixture(t, KeyEd25519, 1, 1)
	fx.attack("/tuf/timestamp.json", bytes.Repeat([]byte(" "), 1<<20))
	expectAttack(t, fx.client(nil), ErrTooLarge, "timestamp.json")

	fx.heal()
	fx.attack("/dl/serde/1.0.0/download", bytes.Repeat([]byte("x"), 2<<20))
	expectAttack(t, fx.client(nil), ErrTooLarge, "crate serde 1.0.0")

	// A slow endless stream: bounded by size, and by time when it is slower still.
	fx.heal()
	fx.stall["/tuf/2.root.json"] = true
	c := fx.client(nil)
	c.RequestTimeout = 300 * time.Millisecond
	_, err := c.Verify(context.Background(), "serde", "1.0.0", true)
	if err == nil || !(errors.Is(err, ErrTooLarge) || errors.Is(err, context.DeadlineExceeded)) {
		t.Fatalf("endless root stream: %v", err)
	}
	t.Logf("rejected: %v", err)
}

func TestAttackTimestampSignedByRevokedKey(t *testing.T) {
	fx := newFixture(t, KeyEd25519, 1, 1)
	oldTS := fx.tsK
	newTS := mustKey(t, KeyEd25519)
	_, err := fx.repo.Rotate(context.Background(), Rotation{OldRootKeys: fx.rootKeys, NewTimestampKey: newTS})
	must(t, err)
	c := fx.client(nil)
	if _, err := c.Verify(context.Background(), "serde", "1.0.0", true); err != nil {
		t.Fatal(err)
	}
	// The thief of the old timestamp key signs a fresh-looking timestamp.
	ts := must2(t, func() (*metadata.Metadata[metadata.TimestampType], error) {
		return new(metadata.Metadata[metadata.TimestampType]).FromBytes(fx.fetchServed("/tuf/timestamp.json"))
	})
	ts.Signed.Version += 5
	ts.ClearSignatures()
	_, err = ts.Sign(oldTS)
	must(t, err)
	forged := must2(t, func() ([]byte, error) { return ts.ToBytes(false) })
	fx.attack("/tuf/timestamp.json", forged)
	expectAttack(t, c, ErrSignature, "timestamp.json version 7", "root 2")
	// A client still holding root 1 also rejects it: it follows the chain to root 2 first.
	expectAttack(t, fx.client(nil), ErrSignature, "root 2")
}

func TestRootRotationThreshold(t *testing.T) {
	fx := newFixture(t, KeyECDSAP256, 3, 2)
	ctx := context.Background()
	// One of three keys is below the threshold of two.
	if _, err := fx.repo.Rotate(ctx, Rotation{OldRootKeys: fx.rootKeys[:1], NewRootKeys: fx.rootKeys[:1], RootThreshold: 1}); err == nil {
		t.Fatal("root rotation signed by 1 of 3 keys (threshold 2) accepted")
	}
	// Two of three holders rotate an online key, keeping the root keys.
	_, err := fx.repo.Rotate(ctx, Rotation{OldRootKeys: fx.rootKeys[:2], NewTimestampKey: mustKey(t, KeyECDSAP256)})
	must(t, err)
	newKeys := []*Signer{mustKey(t, KeyEd25519), mustKey(t, KeyEd25519)}
	_, err = fx.repo.Rotate(ctx, Rotation{OldRootKeys: fx.rootKeys[1:], NewRootKeys: newKeys, RootThreshold: 2, NewTargetsKey: mustKey(t, KeyEd25519)})
	must(t, err)
	_, err = fx.repo.Rotate(ctx, Rotation{OldRootKeys: newKeys, NewTimestampKey: mustKey(t, KeyECDSAP256)})
	must(t, err)
	c := fx.client(nil) // trusts root 1 only
	res, err := c.Verify(ctx, "serde", "1.0.1", true)
	must(t, err)
	if res.RootVersion != 4 {
		t.Fatalf("client ended at root %d, want 4", res.RootVersion)
	}
	// The repository reopened from disk serves the same tree.
	re, err := Open(fx.dir, Options{})
	must(t, err)
	if re.TreeVersion() != fx.repo.TreeVersion() || re.RootVersion() != 4 {
		t.Fatalf("reopened at tree %d root %d, want %d and 4", re.TreeVersion(), re.RootVersion(), fx.repo.TreeVersion())
	}
}

func TestAttackRootNotChained(t *testing.T) {
	fx := newFixture(t, KeyEd25519, 1, 1)
	// A root 2 signed only by keys the attacker made up.
	evil := mustKey(t, KeyEd25519)
	r := metadata.Root(fx.now.Add(time.Hour))
	r.Signed.Version = 2
	for _, role := range []string{metadata.ROOT, metadata.TARGETS, metadata.TIMESTAMP, metadata.SNAPSHOT} {
		must(t, r.Signed.AddKey(evil.Key, role))
	}
	_, err := r.Sign(evil)
	must(t, err)
	fx.attack("/tuf/2.root.json", must2(t, func() ([]byte, error) { return r.ToBytes(false) }))
	expectAttack(t, fx.client(nil), ErrSignature, "2.root.json", "root 1")
}
