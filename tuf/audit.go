package tuf

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/cratewatch/cratewatch/tuf/merkle"
)

// AuditState is what an auditor remembers between runs: the newest root it verified and
// every leaf of the last tree it audited.
type AuditState struct {
	Root            json.RawMessage `json:"root"`
	TreeVersion     int64           `json:"tree_version"`
	TimestampKeyIDs []string        `json:"timestamp_keyids,omitempty"`
	Leaves          []Leaf          `json:"leaves"`
}

// NewAuditState starts an audit from a root.json obtained out of band.
func NewAuditState(rootJSON []byte) (*AuditState, error) {
	if _, err := NewClientState(rootJSON); err != nil {
		return nil, err
	}
	return &AuditState{Root: rootJSON}, nil
}

// LoadAuditState reads a state file written by Save.
func LoadAuditState(path string) (*AuditState, error) {
	data, err := readBounded(path, 4*MaxDeltaBytes)
	if err != nil {
		return nil, fmt.Errorf("audit state: %w", err)
	}
	var s AuditState
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("audit state %s: %w", path, err)
	}
	if _, err := parseRoot(s.Root, path); err != nil {
		return nil, err
	}
	for _, l := range s.Leaves {
		if err := l.validate(); err != nil {
			return nil, fmt.Errorf("audit state %s: %w", path, err)
		}
	}
	return &s, nil
}

// Save writes the state atomically.
func (s *AuditState) Save(path string) error {
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return writeFile(path, data)
}

// Auditor replays every snapshot tree the repository published since its last run: it reads
// each tree's timestamp and delta, rebuilds the tree, checks the root against the signed
// merkle_root and that no role's version ever decreased (TAP 16's defence against a stolen
// timestamp key rolling roles back).
type Auditor struct {
	MetadataURL    string
	HTTP           *http.Client
	RequestTimeout time.Duration
	MaxTrees       int // trees audited per run; 0 means 100000
}

// AuditReport summarises a run.
type AuditReport struct {
	From          int64 `json:"from_tree"` // From > To when there was nothing new
	To            int64 `json:"to_tree"`
	LeavesChanged int   `json:"leaves_changed"`
	KeyResets     int   `json:"key_resets"` // trees after a timestamp key rotation, where versions may restart
	Bytes         int64 `json:"bytes_downloaded"`
}

// Audit advances st tree by tree; st reflects the last tree that passed, even on error.
func (a *Auditor) Audit(ctx context.Context, st *AuditState) (*AuditReport, error) {
	c := Client{HTTP: a.HTTP, RequestTimeout: a.RequestTimeout}
	f := c.fetcher()
	roots, err := rootChain(ctx, f, a.MetadataURL, st.Root)
	if err != nil {
		return nil, err
	}
	newest := roots[len(roots)-1]
	data, err := f.get(ctx, a.MetadataURL+"timestamp.json", MaxTimestampBytes)
	if err != nil {
		return nil, err
	}
	_, _, current, err := verifyTimestamp(newest.md, data, "timestamp.json", time.Time{})
	if err != nil {
		return nil, err
	}
	st.Root = newest.raw
	rep := &AuditReport{From: st.TreeVersion + 1, To: st.TreeVersion}
	if current < st.TreeVersion {
		return rep, fmt.Errorf("timestamp.json: %w: signs tree %d, the auditor already saw tree %d", ErrRollback, current, st.TreeVersion)
	}
	max := int64(a.MaxTrees)
	if max == 0 {
		max = 100000
	}
	var tree *merkle.Tree
	if len(st.Leaves) > 0 {
		if tree, err = leafTree(st.Leaves); err != nil {
			return rep, err
		}
	}
	for v := st.TreeVersion + 1; v <= current && v < st.TreeVersion+1+max; v++ {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		if tree, err = a.auditTree(ctx, f, roots, st, tree, v, rep); err != nil {
			return rep, fmt.Errorf("tree %d: %w", v, err)
		}
		rep.To = v
	}
	rep.Bytes = sumFetched(f.count)
	return rep, nil
}

func (a *Auditor) auditTree(ctx context.Context, f *fetcher, roots []verifiedRoot, st *AuditState, tree *merkle.Tree, v int64, rep *AuditReport) (*merkle.Tree, error) {
	name := fmt.Sprintf("%d.timestamp.json", v)
	data, err := f.get(ctx, a.MetadataURL+name, MaxTimestampBytes)
	if err != nil {
		return nil, err
	}
	var signedRoot merkle.Hash
	var treeVersion int64
	var keys []string
	var lastErr error
	for i := len(roots) - 1; i >= 0; i-- { // the newest root whose timestamp keys signed it
		_, signedRoot, treeVersion, lastErr = verifyTimestamp(roots[i].md, data, name, time.Time{})
		if lastErr == nil {
			keys = slices.Sorted(slices.Values(roots[i].md.Signed.Roles[metadata.TIMESTAMP].KeyIDs))
			break
		}
	}
	if lastErr != nil {
		return nil, lastErr
	}
	if treeVersion != v {
		return nil, fmt.Errorf("%s signs tree %d", name, treeVersion)
	}
	dname := fmt.Sprintf("snapshot/%d.delta.json", v)
	if data, err = f.get(ctx, a.MetadataURL+dname, MaxDeltaBytes); err != nil {
		return nil, err
	}
	d, err := ParseDelta(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", dname, err)
	}
	if d.TreeVersion != v {
		return nil, fmt.Errorf("%s: describes tree %d", dname, d.TreeVersion)
	}
	reset := st.TimestampKeyIDs != nil && !slices.Equal(keys, st.TimestampKeyIDs)
	leaves := slices.Clone(st.Leaves)
	if len(leaves) > 0 && d.TreeSize != len(leaves) {
		return nil, fmt.Errorf("%s: tree size %d, previous tree had %d leaves", dname, d.TreeSize, len(leaves))
	}
	if !reset {
		for _, c := range d.Changes {
			if len(leaves) == 0 {
				break
			}
			old := leaves[c.Index]
			switch {
			case old.Name != c.Leaf.Name:
				return nil, fmt.Errorf("%s: leaf %d renamed from %s to %s", dname, c.Index, old.Name, c.Leaf.Name)
			case c.Leaf.Version < old.Version:
				return nil, fmt.Errorf("%s: %w: %s went from version %d in tree %d to version %d", dname, ErrRollback, old.Name, old.Version, v-1, c.Leaf.Version)
			case c.Leaf.Version == old.Version && c.Leaf != old:
				return nil, fmt.Errorf("%s: %w: %s changed content without a new version (%d)", dname, ErrRollback, old.Name, old.Version)
			}
		}
	} else {
		rep.KeyResets++
	}
	if leaves, err = applyDelta(leaves, d); err != nil {
		return nil, fmt.Errorf("%s: %w", dname, err)
	}
	if tree == nil || reset {
		if tree, err = leafTree(leaves); err != nil {
			return nil, fmt.Errorf("%s: %w", dname, err)
		}
	} else {
		for _, c := range d.Changes {
			h, err := c.Leaf.Hash()
			if err != nil {
				return nil, err
			}
			if err := tree.Set(c.Index, h); err != nil {
				return nil, err
			}
		}
	}
	if tree.Root() != signedRoot {
		return nil, fmt.Errorf("%s: %w: leaves hash to %x, %s signs %x", dname, ErrMerkle, tree.Root(), name, signedRoot)
	}
	st.Leaves, st.TreeVersion, st.TimestampKeyIDs = leaves, v, keys
	rep.LeavesChanged += len(d.Changes)
	return tree, nil
}

func leafTree(leaves []Leaf) (*merkle.Tree, error) {
	hashes := make([]merkle.Hash, len(leaves))
	for i, l := range leaves {
		if i > 0 && leaves[i-1].Name >= l.Name {
			return nil, fmt.Errorf("leaves not sorted by name at %d (%s after %s)", i, l.Name, leaves[i-1].Name)
		}
		h, err := l.Hash()
		if err != nil {
			return nil, err
		}
		hashes[i] = h
	}
	return merkle.New(hashes)
}

type verifiedRoot struct {
	md  *metadata.Metadata[metadata.RootType]
	raw []byte
}

// rootChain returns the trusted root and every later root, each verified against the one
// before it.
func rootChain(ctx context.Context, f *fetcher, base string, trusted []byte) ([]verifiedRoot, error) {
	md, err := parseRoot(trusted, "trusted root")
	if err != nil {
		return nil, err
	}
	chain := []verifiedRoot{{md, trusted}}
	for range maxRootRotations {
		last := chain[len(chain)-1]
		next, raw, err := nextRoot(ctx, f, base, last.md)
		if err != nil {
			return nil, err
		}
		if next == nil {
			break
		}
		chain = append(chain, verifiedRoot{next, raw})
	}
	return chain, nil
}
