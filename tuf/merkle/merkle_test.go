package merkle

import (
	"fmt"
	"testing"
)

// mth is RFC 6962 section 2.1 written literally, as an independent reference.
func mth(leaves []Hash) Hash {
	if len(leaves) == 1 {
		return leaves[0]
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	return NodeHash(mth(leaves[:k]), mth(leaves[k:]))
}

func leaves(n int, salt string) []Hash {
	out := make([]Hash, n)
	for i := range out {
		out[i] = LeafHash(fmt.Appendf(nil, "%s-%d", salt, i))
	}
	return out
}

func TestRootMatchesRFC6962(t *testing.T) {
	for n := 1; n <= 70; n++ {
		ls := leaves(n, "a")
		tr, err := New(ls)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := tr.Root(), mth(ls); got != want {
			t.Fatalf("n=%d: root %x, RFC 6962 gives %x", n, got, want)
		}
	}
}

func TestKnownVector(t *testing.T) {
	// RFC 6962: the hash of an empty leaf is SHA-256 of the single byte 0x00.
	got := LeafHash(nil)
	if fmt.Sprintf("%x", got) != "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d" {
		t.Fatalf("LeafHash(empty) = %x", got)
	}
}

func TestProofsVerifyAndBindPosition(t *testing.T) {
	for n := 1; n <= 33; n++ {
		ls := leaves(n, "b")
		tr, _ := New(ls)
		for i := range n {
			p, err := tr.Proof(i)
			if err != nil {
				t.Fatal(err)
			}
			if err := Verify(ls[i], uint64(i), uint64(n), p, tr.Root()); err != nil {
				t.Fatalf("n=%d i=%d: %v", n, i, err)
			}
			dirs, _ := Directions(uint64(i), uint64(n))
			if len(dirs) != len(p) {
				t.Fatalf("n=%d i=%d: Directions has %d steps, proof %d", n, i, len(dirs), len(p))
			}
			if n > 1 {
				if err := Verify(ls[i], uint64((i+1)%n), uint64(n), p, tr.Root()); err == nil {
					t.Fatalf("n=%d i=%d: proof accepted at index %d", n, i, (i+1)%n)
				}
				other := ls[(i+1)%n]
				if err := Verify(other, uint64(i), uint64(n), p, tr.Root()); err == nil {
					t.Fatalf("n=%d i=%d: proof accepted for a different leaf", n, i)
				}
			}
		}
	}
}

func TestFlippedDirectionRejected(t *testing.T) {
	ls := leaves(9, "c")
	tr, _ := New(ls)
	p, _ := tr.Proof(4)
	p[0].Dir = Left
	if err := Verify(ls[4], 4, 9, p, tr.Root()); err == nil {
		t.Fatal("flipped direction accepted")
	}
	p[0].Dir = 'X'
	if _, err := RootFromProof(ls[4], p); err == nil {
		t.Fatal("bad direction accepted")
	}
}

func TestSetMatchesRebuild(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 8, 13, 64, 100} {
		ls := leaves(n, "d")
		tr, _ := New(ls)
		for i := 0; i < n; i += 3 {
			ls[i] = LeafHash(fmt.Appendf(nil, "new-%d", i))
			if err := tr.Set(i, ls[i]); err != nil {
				t.Fatal(err)
			}
			if tr.Root() != mth(ls) {
				t.Fatalf("n=%d after Set(%d): root differs from rebuild", n, i)
			}
		}
	}
	tr, _ := New(leaves(3, "e"))
	if tr.Set(3, Hash{}) == nil || tr.Set(-1, Hash{}) == nil {
		t.Fatal("out of range Set accepted")
	}
	if _, err := New(nil); err == nil {
		t.Fatal("empty tree accepted")
	}
}

func BenchmarkNew4096(b *testing.B) {
	ls := leaves(4096, "f")
	for b.Loop() {
		New(ls)
	}
}

func BenchmarkSet(b *testing.B) {
	tr, _ := New(leaves(1<<16, "g"))
	h := LeafHash([]byte("x"))
	i := 0
	for b.Loop() {
		tr.Set(i%tr.Size(), h)
		i += 7919
	}
}

func BenchmarkVerify(b *testing.B) {
	ls := leaves(4096, "h")
	tr, _ := New(ls)
	p, _ := tr.Proof(1234)
	for b.Loop() {
		if err := Verify(ls[1234], 1234, 4096, p, tr.Root()); err != nil {
			b.Fatal(err)
		}
	}
}
