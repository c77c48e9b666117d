package tuf

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/cratewatch/cratewatch/tuf/merkle"
)

func FuzzParseProof(f *testing.F) {
	f.Add([]byte(`{"leaf_contents":{"hashes":{"sha256":"00"},"length":1,"name":"bin-0","version":1},"leaf_index":0,"tree_size":1,"tree_version":1,"merkle_path":[],"path_directions":[]}`))
	f.Add([]byte(`{"leaf_contents":{"hashes":{"sha256":"0000000000000000000000000000000000000000000000000000000000000000"},"length":1,"name":"bin-0","version":1},"leaf_index":1,"tree_size":3,"tree_version":1,"merkle_path":["0000000000000000000000000000000000000000000000000000000000000000"],"path_directions":["L"]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := ParseProof(data)
		if err != nil {
			return
		}
		// A parsed proof must fold without panicking, and re-encode to something that parses
		// to the same proof.
		_ = p.Verify(merkle.Hash{})
		enc, err := canonical(p)
		if err != nil {
			t.Fatalf("re-encoding a parsed proof: %v", err)
		}
		q, err := ParseProof(enc)
		if err != nil {
			t.Fatalf("re-encoded proof does not parse: %v\n%s", err, enc)
		}
		if q.Leaf != p.Leaf || q.LeafIndex != p.LeafIndex || len(q.Path) != len(p.Path) {
			t.Fatalf("proof changed through re-encoding: %+v vs %+v", p, q)
		}
		if len(p.Path) > 0 {
			fast, err := p.encode()
			if err != nil || string(fast) != string(enc) {
				t.Fatalf("fast encoder %q (%v) differs from cjson %q", fast, err, enc)
			}
		}
	})
}

func FuzzParseDelta(f *testing.F) {
	f.Add([]byte(`{"changes":[{"index":0,"leaf":{"hashes":{"sha256":"0000000000000000000000000000000000000000000000000000000000000000"},"length":10,"name":"targets","version":2}}],"tree_size":1,"tree_version":2}`))
	f.Add([]byte(`{"changes":[],"tree_size":5,"tree_version":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := ParseDelta(data)
		if err != nil {
			return
		}
		leaves, err := applyDelta(nil, d)
		if err != nil {
			return
		}
		if len(leaves) != d.TreeSize {
			t.Fatalf("applyDelta gave %d leaves for size %d", len(leaves), d.TreeSize)
		}
		_, _ = leafTree(leaves)
	})
}

// FuzzClientMetadata feeds hostile bytes to every metadata check the client and auditor run
// on what a mirror serves: root chaining, timestamp, and targets verification.
func FuzzClientMetadata(f *testing.F) {
	k, err := GenerateKey(KeyEd25519)
	if err != nil {
		f.Fatal(err)
	}
	dir := f.TempDir()
	if err := Init(dir, InitOptions{RootKeys: []*Signer{k}, RootThreshold: 1, TargetsKey: k, TimestampKey: k}); err != nil {
		f.Fatal(err)
	}
	rootJSON, err := os.ReadFile(filepath.Join(dir, "root.json"))
	if err != nil {
		f.Fatal(err)
	}
	root, err := parseRoot(rootJSON, "root")
	if err != nil {
		f.Fatal(err)
	}
	ts := metadata.Timestamp(time.Now().Add(time.Hour))
	ts.Signed.Meta[snapshotMeta] = metadata.MetaFile(3)
	ts.Signed.UnrecognizedFields = map[string]any{merkleRootKey: "00"}
	ts.Sign(k)
	tsJSON, _ := ts.ToBytes(false)
	f.Add(tsJSON)
	f.Add(rootJSON)
	f.Add([]byte(`{"signed":{"_type":"timestamp","version":1,"expires":"2030-01-01T00:00:00Z","meta":{},"merkle_root":1e999},"signatures":[]}`))
	f.Add([]byte(`{"signed":{"_type":"targets","version":1,"delegations":{"keys":{},"succinct_roles":{"bit_length":40,"name_prefix":"../x"}}},"signatures":[{"keyid":"a","sig":"zz"}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		now := time.Now()
		_, _, _, _ = verifyTimestamp(root, data, "fuzz", now)
		if r, err := parseRoot(data, "fuzz"); err == nil {
			_ = root.VerifyDelegate(metadata.ROOT, r)
			_ = r.VerifyDelegate(metadata.ROOT, r)
		}
		if md, err := parseTargets(data, "fuzz"); err == nil {
			_ = root.VerifyDelegate(metadata.TARGETS, md)
			_ = md.VerifyDelegate("bin-0", md)
		}
		_, _ = findVersion("fu/zz/fuzz", data, "fuzz", "")
		_, _ = downloadURL(data, "fuzz", "1.0.0", "00")
	})
}
