package tuf

import (
	"encoding/hex"
	"strings"
	"testing"
)

// TestPOUFVector pins the example of docs/tuf-pouf.md so that the document and the code
// cannot drift apart: three leaves, their encodings, the root and the proof of bin-1.
func TestPOUFVector(t *testing.T) {
	leaves := []Leaf{
		{Name: "bin-0", Version: 1, Length: 100, SHA256: strings.Repeat("aa", 32)},
		{Name: "bin-1", Version: 2, Length: 200, SHA256: strings.Repeat("bb", 32)},
		{Name: "targets", Version: 1, Length: 300, SHA256: strings.Repeat("cc", 32)},
	}
	enc, err := canonical(leaves[1])
	must(t, err)
	if want := `{"hashes":{"sha256":"` + strings.Repeat("bb", 32) + `"},"length":200,"name":"bin-1","version":2}`; string(enc) != want {
		t.Fatalf("leaf encoding %s", enc)
	}
	tree, err := leafTree(leaves)
	must(t, err)
	root := tree.Root()
	r := &Repository{dir: t.TempDir()}
	must(t, r.setLeaves(leaves))
	r.tsVersion = 7
	r.remember()
	proof, err := r.ProofAt(7, "bin-1")
	must(t, err)
	p, err := ParseProof(proof)
	must(t, err)
	must(t, p.Verify(root))
	const wantRoot = "8f2ed7f07f8bafa894c32798592ee96d834eaa2da4d5e3a3349a39923c086900"
	const wantProof = `{"leaf_contents":{"hashes":{"sha256":"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"},"length":200,"name":"bin-1","version":2},` +
		`"leaf_index":1,"merkle_path":["79247b353439a867b3571b1440143fd07b75e5683e43c0d1f08e9e06c00f7bd2","dd49af2680609bb93b5ee5255fc6fc08e6ae982eb7e59697851cf67b323ee2c9"],` +
		`"path_directions":["L","R"],"tree_size":3,"tree_version":7}`
	if string(proof) != wantProof {
		t.Errorf("proof file\n%s\nthe POUF says\n%s", proof, wantProof)
	}
	if got := hex.EncodeToString(root[:]); got != wantRoot {
		t.Errorf("root %s, the POUF says %s", got, wantRoot)
	}
}

func TestCanonicalEncodersMatchCJSON(t *testing.T) {
	fx := newFixture(t, KeyEd25519, 1, 1)
	for _, l := range fx.repo.leaves {
		fast, err := l.appendCanonical(nil)
		must(t, err)
		slow, err := canonical(l)
		must(t, err)
		if string(fast) != string(slow) {
			t.Fatalf("leaf %s: fast %s, cjson %s", l.Name, fast, slow)
		}
		proof, err := fx.repo.ProofFor(l.Name)
		must(t, err)
		p, err := ParseProof(proof)
		must(t, err)
		slow, err = canonical(p)
		must(t, err)
		if string(proof) != string(slow) {
			t.Fatalf("proof of %s: fast %s, cjson %s", l.Name, proof, slow)
		}
	}
	if _, err := (Leaf{Name: "a\"b", Version: 1, Length: 1, SHA256: strings.Repeat("0", 64)}).appendCanonical(nil); err == nil {
		t.Fatal("leaf name needing escapes encoded")
	}
}
