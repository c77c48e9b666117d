package tuf

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/cratewatch/cratewatch/index"
	"github.com/cratewatch/cratewatch/tuf/merkle"
)

// Names fixed by our POUF.
const (
	binPrefix     = "bin"
	configTarget  = "config.json"
	snapshotMeta  = "snapshot.json"
	merkleRootKey = "merkle_root"
	maxBinBits    = 16
	maxIndexFile  = 64 << 20
)

// Expiry periods of the roles the repository signs.
type Expiry struct {
	Root, Targets, Timestamp time.Duration
}

// DefaultExpiry: the root and targets are re-signed rarely, the timestamp daily at least.
var DefaultExpiry = Expiry{Root: 365 * 24 * time.Hour, Targets: 365 * 24 * time.Hour, Timestamp: 24 * time.Hour}

// Repository is a TUF repository for one registry index, stored in a directory that is also
// what Handler serves. It is safe for concurrent use: updates exclude readers.
type Repository struct {
	dir        string
	targetsK   *Signer
	timestampK *Signer
	expiry     Expiry
	now        func() time.Time

	mu        sync.RWMutex
	root      *metadata.Metadata[metadata.RootType]
	bits      int
	leaves    []Leaf
	leafIndex map[string]int
	tree      *merkle.Tree
	timestamp []byte
	tsVersion int64
	tsStat    fileStamp
	served    []servedTree // the last maxServedTrees trees, oldest first
}

// maxServedTrees is how many recent trees proofs are served for: a client reading the
// timestamp of tree T and then its proofs must not lose the race against the next publish.
const maxServedTrees = 16

// servedTree is an immutable tree and its leaves, from which proofs of that version are made.
type servedTree struct {
	version int64
	tree    *merkle.Tree
	leaves  []Leaf
	index   map[string]int
}

// fileStamp identifies a version of a file cheaply, to notice another process's writes.
type fileStamp struct {
	size    int64
	modTime time.Time
}

func stampOf(path string) fileStamp {
	fi, err := os.Stat(path)
	if err != nil {
		return fileStamp{}
	}
	return fileStamp{fi.Size(), fi.ModTime()}
}

// remember makes the current tree servable; called with r.mu held after every new tree.
func (r *Repository) remember() {
	r.served = append(r.served, servedTree{version: r.tsVersion, tree: r.tree.Clone(), leaves: slices.Clone(r.leaves), index: r.leafIndex})
	if n := len(r.served) - maxServedTrees; n > 0 {
		r.served = slices.Delete(r.served, 0, n)
	}
	r.tsStat = stampOf(filepath.Join(r.dir, "timestamp.json"))
}

// Options configure Open: the online keys (nil for a read-only server) and clock.
type Options struct {
	TargetsKey, TimestampKey *Signer
	Expiry                   Expiry
	Now                      func() time.Time
}

func (o *Options) fill() {
	if o.Expiry == (Expiry{}) {
		o.Expiry = DefaultExpiry
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// InitOptions configure a new repository's root.
type InitOptions struct {
	RootKeys      []*Signer // offline keys; len must be >= RootThreshold
	RootThreshold int
	TargetsKey    *Signer
	TimestampKey  *Signer
	Expiry        Expiry
	Now           func() time.Time
}

// Init writes version 1 of root metadata into dir, signed by every root key.
func Init(dir string, o InitOptions) error {
	opts := Options{Expiry: o.Expiry, Now: o.Now}
	opts.fill()
	if o.RootThreshold < 1 || len(o.RootKeys) < o.RootThreshold {
		return fmt.Errorf("root threshold %d with %d root keys: need 1 <= threshold <= keys", o.RootThreshold, len(o.RootKeys))
	}
	if o.TargetsKey == nil || o.TimestampKey == nil {
		return errors.New("init needs a targets key and a timestamp key")
	}
	if _, err := os.Stat(filepath.Join(dir, "root.json")); err == nil {
		return fmt.Errorf("%s already holds root.json", dir)
	}
	if err := os.MkdirAll(filepath.Join(dir, "snapshot"), 0o755); err != nil {
		return err
	}
	root := metadata.Root(opts.Now().Add(opts.Expiry.Root).UTC().Truncate(time.Second))
	root.Signed.ConsistentSnapshot = true
	for _, k := range o.RootKeys {
		if err := root.Signed.AddKey(k.Key, metadata.ROOT); err != nil {
			return err
		}
	}
	root.Signed.Roles[metadata.ROOT].Threshold = o.RootThreshold
	for _, role := range []string{metadata.TARGETS} {
		if err := root.Signed.AddKey(o.TargetsKey.Key, role); err != nil {
			return err
		}
	}
	// TAP 16 has no snapshot signer; the role keeps the timestamp key so the plain
	// snapshot.json we build for comparison is verifiable.
	for _, role := range []string{metadata.TIMESTAMP, metadata.SNAPSHOT} {
		if err := root.Signed.AddKey(o.TimestampKey.Key, role); err != nil {
			return err
		}
	}
	for _, k := range o.RootKeys {
		if _, err := root.Sign(k); err != nil {
			return fmt.Errorf("signing root: %w", err)
		}
	}
	return writeRoot(dir, root)
}

func writeRoot(dir string, root *metadata.Metadata[metadata.RootType]) error {
	data, err := root.ToBytes(true)
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(dir, fmt.Sprintf("%d.root.json", root.Signed.Version)), data); err != nil {
		return err
	}
	return writeFile(filepath.Join(dir, "root.json"), data)
}

// writeFile writes through a synced temporary file and a rename, so readers never see half a
// file and a crash never leaves a named but empty one. Renames are made durable by syncDirs
// before the commit point.
func writeFile(path string, data []byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, path)
}

// syncDirs makes the renames done in the repository's directories durable.
func (r *Repository) syncDirs() error {
	for _, d := range []string{r.dir, filepath.Join(r.dir, "snapshot")} {
		f, err := os.Open(d)
		if err != nil {
			return err
		}
		err = f.Sync()
		f.Close()
		if err != nil {
			return fmt.Errorf("sync %s: %w", d, err)
		}
	}
	return nil
}

func readRoot(path string) (*metadata.Metadata[metadata.RootType], error) {
	data, err := readBounded(path, MaxMetadataBytes)
	if err != nil {
		return nil, err
	}
	r, err := new(metadata.Metadata[metadata.RootType]).FromBytes(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return r, nil
}

func readBounded(path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%s: %d bytes, limit %d", path, fi.Size(), limit)
	}
	return os.ReadFile(path)
}

// Open loads a built repository: root, the current timestamp, and the current tree (replayed
// from the delta files and checked against the timestamp's merkle_root).
func Open(dir string, o Options) (*Repository, error) {
	o.fill()
	r := &Repository{dir: dir, targetsK: o.TargetsKey, timestampK: o.TimestampKey, expiry: o.Expiry, now: o.Now}
	root, err := readRoot(filepath.Join(dir, "root.json"))
	if err != nil {
		return nil, fmt.Errorf("open repository: %w", err)
	}
	r.root = root
	tsPath := filepath.Join(dir, "timestamp.json")
	tsData, err := readBounded(tsPath, MaxMetadataBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return r, nil // initialised, not built yet
	}
	if err != nil {
		return nil, fmt.Errorf("open repository: %w", err)
	}
	ts, err := new(metadata.Metadata[metadata.TimestampType]).FromBytes(tsData)
	if err != nil {
		return nil, fmt.Errorf("open repository: %s: %w", tsPath, err)
	}
	signedRoot, treeVersion, err := timestampTree(ts)
	if err != nil {
		return nil, fmt.Errorf("open repository: %s: %w", tsPath, err)
	}
	leaves, from, err := r.checkpoint(treeVersion)
	if err != nil {
		return nil, fmt.Errorf("open repository: %w", err)
	}
	if leaves, err = r.replay(leaves, from, treeVersion); err != nil {
		return nil, fmt.Errorf("open repository: %w", err)
	}
	if err := r.setLeaves(leaves); err != nil {
		return nil, err
	}
	if r.tree.Root() != signedRoot {
		return nil, fmt.Errorf("open repository: tree replayed from %s/snapshot has root %x, timestamp.json signs %x", dir, r.tree.Root(), signedRoot)
	}
	r.timestamp, r.tsVersion = tsData, ts.Signed.Version
	r.remember()
	top, err := r.readTargets(metadata.TARGETS)
	if err != nil {
		return nil, fmt.Errorf("open repository: %w", err)
	}
	if top.Signed.Delegations == nil || top.Signed.Delegations.SuccinctRoles == nil {
		return nil, errors.New("open repository: targets.json has no succinct_roles delegation")
	}
	r.bits = top.Signed.Delegations.SuccinctRoles.BitLength
	return r, nil
}

// checkpointEvery is how often (in trees) the full leaf list is saved, so that opening a
// repository replays at most that many deltas rather than its whole history.
var checkpointEvery int64 = 1024

const checkpointFile = "checkpoint.json"

// checkpoint returns the leaves of the newest checkpoint not after tree upTo and the first
// tree still to replay; without a usable checkpoint, replay starts at tree 1.
func (r *Repository) checkpoint(upTo int64) ([]Leaf, int64, error) {
	p := filepath.Join(r.dir, "snapshot", checkpointFile)
	data, err := readBounded(p, MaxDeltaBytes)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 1, nil
	}
	if err != nil {
		return nil, 0, err
	}
	d, err := ParseDelta(data)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", p, err)
	}
	if d.TreeVersion > upTo {
		return nil, 1, nil // written by an update whose timestamp never landed
	}
	leaves, err := applyDelta(nil, d)
	if err != nil {
		return nil, 0, fmt.Errorf("%s: %w", p, err)
	}
	return leaves, d.TreeVersion + 1, nil
}

// replay applies the deltas of trees from..to to leaves.
func (r *Repository) replay(leaves []Leaf, from, to int64) ([]Leaf, error) {
	for v := from; v <= to; v++ {
		p := filepath.Join(r.dir, "snapshot", fmt.Sprintf("%d.delta.json", v))
		data, err := readBounded(p, MaxDeltaBytes)
		if err != nil {
			return nil, err
		}
		d, err := ParseDelta(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		if leaves, err = applyDelta(leaves, d); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
	}
	return leaves, nil
}

// Reload picks up trees and roots another process (cratewatch tuf update) published in the
// directory since this Repository last read or wrote it. It is a no-op when nothing changed.
func (r *Repository) Reload() error {
	tsPath := filepath.Join(r.dir, "timestamp.json")
	st := stampOf(tsPath)
	r.mu.RLock()
	same := st == r.tsStat
	r.mu.RUnlock()
	if same {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	tsData, err := readBounded(tsPath, MaxMetadataBytes)
	if err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	if bytes.Equal(tsData, r.timestamp) {
		r.tsStat = st
		return nil
	}
	ts, err := new(metadata.Metadata[metadata.TimestampType]).FromBytes(tsData)
	if err != nil {
		return fmt.Errorf("reload: %s: %w", tsPath, err)
	}
	signedRoot, treeVersion, err := timestampTree(ts)
	if err != nil {
		return fmt.Errorf("reload: %s: %w", tsPath, err)
	}
	if treeVersion <= r.tsVersion && r.tree != nil {
		return nil // a write in progress, or nothing new
	}
	from, leaves := int64(1), []Leaf(nil)
	if r.tree != nil {
		from, leaves = r.tsVersion+1, slices.Clone(r.leaves)
	}
	if leaves, err = r.replay(leaves, from, treeVersion); err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	root, err := readRoot(filepath.Join(r.dir, "root.json"))
	if err != nil {
		return fmt.Errorf("reload: %w", err)
	}
	old := r.leaves
	oldIndex, oldTree := r.leafIndex, r.tree
	if err := r.setLeaves(leaves); err != nil {
		return err
	}
	if r.tree.Root() != signedRoot {
		r.leaves, r.leafIndex, r.tree = old, oldIndex, oldTree
		return fmt.Errorf("reload: replayed tree has root %x, %s signs %x", r.tree.Root(), tsPath, signedRoot)
	}
	r.root, r.timestamp, r.tsVersion = root, tsData, ts.Signed.Version
	r.remember()
	return nil
}

// applyDelta returns the leaves of the next tree; the first delta must list every leaf.
func applyDelta(leaves []Leaf, d *Delta) ([]Leaf, error) {
	if leaves == nil {
		if len(d.Changes) != d.TreeSize {
			return nil, fmt.Errorf("first delta (tree %d) lists %d of %d leaves", d.TreeVersion, len(d.Changes), d.TreeSize)
		}
		leaves = make([]Leaf, d.TreeSize)
	} else if d.TreeSize != len(leaves) {
		return nil, fmt.Errorf("delta of tree %d has size %d, previous tree %d", d.TreeVersion, d.TreeSize, len(leaves))
	}
	for _, c := range d.Changes {
		if old := leaves[c.Index].Name; old != "" && old != c.Leaf.Name {
			return nil, fmt.Errorf("delta of tree %d renames leaf %d from %s to %s", d.TreeVersion, c.Index, old, c.Leaf.Name)
		}
		leaves[c.Index] = c.Leaf
	}
	return leaves, nil
}

func (r *Repository) setLeaves(leaves []Leaf) error {
	t, err := leafTree(leaves)
	if err != nil {
		return err
	}
	r.leafIndex = make(map[string]int, len(leaves))
	for i, l := range leaves {
		r.leafIndex[l.Name] = i
	}
	r.leaves, r.tree = leaves, t
	return nil
}

// timestampTree extracts the merkle_root and tree version a timestamp signs.
func timestampTree(ts *metadata.Metadata[metadata.TimestampType]) (merkle.Hash, int64, error) {
	var root merkle.Hash
	s, ok := ts.Signed.UnrecognizedFields[merkleRootKey].(string)
	if !ok {
		return root, 0, fmt.Errorf("timestamp version %d has no string %q", ts.Signed.Version, merkleRootKey)
	}
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != merkle.HashSize {
		return root, 0, fmt.Errorf("timestamp version %d: %s %.70q is not %d hex digits", ts.Signed.Version, merkleRootKey, s, 2*merkle.HashSize)
	}
	copy(root[:], b)
	m := ts.Signed.Meta[snapshotMeta]
	if m == nil || m.Version < 1 {
		return root, 0, fmt.Errorf("timestamp version %d: no %s version", ts.Signed.Version, snapshotMeta)
	}
	return root, m.Version, nil
}

// roleFile is the consistent-snapshot file name of a targets role version.
func roleFile(name string, version int64) string {
	return strconv.FormatInt(version, 10) + "." + name + ".json"
}

func (r *Repository) readTargets(name string) (*metadata.Metadata[metadata.TargetsType], error) {
	i, ok := r.leafIndex[name]
	if !ok {
		return nil, fmt.Errorf("role %s is not in the snapshot tree", name)
	}
	p := filepath.Join(r.dir, roleFile(name, r.leaves[i].Version))
	data, err := readBounded(p, MaxMetadataBytes)
	if err != nil {
		return nil, err
	}
	t, err := new(metadata.Metadata[metadata.TargetsType]).FromBytes(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p, err)
	}
	return t, nil
}

// IndexFile is one file of a registry index: its path relative to the index root and content.
type IndexFile struct {
	Path string
	Data []byte
}

// ReadIndex lists every crate index file and config.json of an index tree, skipping dot
// directories (.git) and files whose path is not the layout path of their name.
func ReadIndex(ctx context.Context, fsys fs.FS) ([]IndexFile, error) {
	var files []IndexFile
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || (p != configTarget && index.Path(d.Name()) != p) || (p != configTarget && index.ValidName(d.Name()) != nil) {
			return nil
		}
		data, err := readFSBounded(fsys, p)
		if err != nil {
			return err
		}
		files = append(files, IndexFile{Path: p, Data: data})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading index: %w", err)
	}
	return files, nil
}

func readFSBounded(fsys fs.FS, p string) ([]byte, error) {
	fi, err := fs.Stat(fsys, p)
	if err != nil {
		return nil, err
	}
	if fi.Size() > maxIndexFile {
		return nil, fmt.Errorf("index file %s: %d bytes, limit %d", p, fi.Size(), maxIndexFile)
	}
	return fs.ReadFile(fsys, p)
}

// BinBitsFor picks the number of hash-bin bits for n targets: about 16 to 32 targets per bin,
// which keeps a bin near a few kilobytes while the tree stays shallow.
func BinBitsFor(n int) int {
	b := 1
	for b < maxBinBits && n > 32<<b {
		b++
	}
	return b
}

func targetFile(f IndexFile) *metadata.TargetFiles {
	sum := sha256.Sum256(f.Data)
	return &metadata.TargetFiles{Length: int64(len(f.Data)), Hashes: metadata.Hashes{"sha256": sum[:]}, Path: f.Path}
}

func (r *Repository) succinct() *metadata.SuccinctRoles {
	return &metadata.SuccinctRoles{KeyIDs: []string{r.targetsK.ID}, Threshold: 1, BitLength: r.bits, NamePrefix: binPrefix}
}

func (r *Repository) requireKeys() error {
	if r.targetsK == nil || r.timestampK == nil {
		return errors.New("repository opened without the online targets and timestamp keys")
	}
	return nil
}

// Build signs a whole index for the first time: top-level targets (config.json and the
// delegation to 2^bits bins), every bin, tree 1 and timestamp 1. bits 0 picks BinBitsFor.
func (r *Repository) Build(ctx context.Context, files []IndexFile, bits int) (*UpdateStats, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	start := time.Now()
	if err := r.requireKeys(); err != nil {
		return nil, err
	}
	if r.tree != nil {
		return nil, fmt.Errorf("repository %s is already built; use Update", r.dir)
	}
	if bits == 0 {
		bits = BinBitsFor(len(files))
	}
	if bits < 1 || bits > maxBinBits {
		return nil, fmt.Errorf("bin bits %d outside 1..%d", bits, maxBinBits)
	}
	r.bits = bits
	sr := r.succinct()
	top := metadata.Targets(r.expires(r.expiry.Targets))
	top.Signed.Delegations = &metadata.Delegations{Keys: map[string]*metadata.Key{r.targetsK.ID: r.targetsK.Key}, SuccinctRoles: sr}
	bins := map[string]*metadata.Metadata[metadata.TargetsType]{}
	for _, name := range sr.GetRoles() {
		bins[name] = metadata.Targets(r.expires(r.expiry.Targets))
	}
	for _, f := range files {
		if f.Path == configTarget {
			top.Signed.Targets[f.Path] = targetFile(f)
			continue
		}
		bins[sr.GetRolesForTarget(f.Path)[0].Name].Signed.Targets[f.Path] = targetFile(f)
	}
	stats := &UpdateStats{}
	var leaves []Leaf
	for name, md := range bins {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		l, n, err := r.writeTargets(name, md)
		if err != nil {
			return nil, err
		}
		stats.add(n)
		leaves = append(leaves, l)
	}
	l, n, err := r.writeTargets(metadata.TARGETS, top)
	if err != nil {
		return nil, err
	}
	stats.add(n)
	leaves = append(leaves, l)
	slices.SortFunc(leaves, func(a, b Leaf) int { return strings.Compare(a.Name, b.Name) })
	if err := r.setLeaves(leaves); err != nil {
		return nil, err
	}
	all := make([]int, len(leaves))
	for i := range all {
		all[i] = i
	}
	if err := r.commit(stats, all); err != nil {
		return nil, err
	}
	stats.Roles = len(leaves)
	stats.Duration = time.Since(start)
	return stats, nil
}

func (r *Repository) expires(d time.Duration) time.Time {
	return r.now().Add(d).UTC().Truncate(time.Second)
}

// writeTargets signs a targets role with the targets key and writes it under its
// consistent-snapshot name, returning its leaf.
func (r *Repository) writeTargets(name string, md *metadata.Metadata[metadata.TargetsType]) (Leaf, int, error) {
	md.ClearSignatures()
	if _, err := md.Sign(r.targetsK); err != nil {
		return Leaf{}, 0, fmt.Errorf("signing %s: %w", name, err)
	}
	data, err := md.ToBytes(false)
	if err != nil {
		return Leaf{}, 0, err
	}
	if err := writeFile(filepath.Join(r.dir, roleFile(name, md.Signed.Version)), data); err != nil {
		return Leaf{}, 0, err
	}
	sum := sha256.Sum256(data)
	return Leaf{Name: name, Version: md.Signed.Version, Length: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}, len(data), nil
}

// commit writes the delta of the next tree and a timestamp signing its root; timestamp.json
// is written last, so a crash before it leaves the previous state served.
func (r *Repository) commit(stats *UpdateStats, changed []int) error {
	version := r.tsVersion + 1
	d := Delta{TreeVersion: version, TreeSize: len(r.leaves), Changes: []DeltaChange{}}
	for _, i := range changed {
		d.Changes = append(d.Changes, DeltaChange{Index: i, Leaf: r.leaves[i]})
	}
	data, err := canonical(d)
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(r.dir, "snapshot", fmt.Sprintf("%d.delta.json", version)), data); err != nil {
		return err
	}
	stats.add(len(data))
	if version%checkpointEvery == 0 {
		cp := Delta{TreeVersion: version, TreeSize: len(r.leaves), Changes: make([]DeltaChange, len(r.leaves))}
		for i, l := range r.leaves {
			cp.Changes[i] = DeltaChange{Index: i, Leaf: l}
		}
		if data, err = canonical(cp); err != nil {
			return err
		}
		if err := writeFile(filepath.Join(r.dir, "snapshot", checkpointFile), data); err != nil {
			return err
		}
		stats.add(len(data))
	}
	ts := metadata.Timestamp(r.expires(r.expiry.Timestamp))
	ts.Signed.Version = version
	ts.Signed.Meta = map[string]*metadata.MetaFiles{snapshotMeta: metadata.MetaFile(version)}
	root := r.tree.Root()
	ts.Signed.UnrecognizedFields = map[string]any{merkleRootKey: hex.EncodeToString(root[:])}
	if _, err := ts.Sign(r.timestampK); err != nil {
		return fmt.Errorf("signing timestamp: %w", err)
	}
	tsData, err := ts.ToBytes(false)
	if err != nil {
		return err
	}
	if err := writeFile(filepath.Join(r.dir, fmt.Sprintf("%d.timestamp.json", version)), tsData); err != nil {
		return err
	}
	// Everything the new timestamp points to must be on disk before the timestamp is.
	if err := r.syncDirs(); err != nil {
		return err
	}
	if err := writeFile(filepath.Join(r.dir, "timestamp.json"), tsData); err != nil {
		return err
	}
	if err := r.syncDirs(); err != nil {
		return err
	}
	stats.add(2 * len(tsData))
	r.timestamp, r.tsVersion = tsData, version
	r.remember()
	stats.TreeVersion = version
	return nil
}

// UpdateStats reports what an update wrote.
type UpdateStats struct {
	TreeVersion  int64
	Roles        int // targets roles re-signed
	Files        int
	BytesWritten int64
	Duration     time.Duration
}

func (s *UpdateStats) add(n int) {
	s.Files++
	s.BytesWritten += int64(n)
}

// Update re-signs the targets of changed index files: each file is signed again in its bin
// (or removed when Data is nil), each touched bin gets a new version, and one new tree and
// timestamp are published. Nothing else is rewritten. With no files it only re-signs the
// timestamp (to push its expiry forward).
func (r *Repository) Update(ctx context.Context, files []IndexFile) (*UpdateStats, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	start := time.Now()
	if err := r.requireKeys(); err != nil {
		return nil, err
	}
	if r.tree == nil {
		return nil, fmt.Errorf("repository %s is not built yet; use Build", r.dir)
	}
	sr := r.succinct()
	touched := map[string]*metadata.Metadata[metadata.TargetsType]{}
	for _, f := range files {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		role := metadata.TARGETS
		if f.Path != configTarget {
			name := f.Path[strings.LastIndexByte(f.Path, '/')+1:]
			if index.ValidName(name) != nil || index.Path(name) != f.Path {
				return nil, fmt.Errorf("update: %q is not an index file path", f.Path)
			}
			role = sr.GetRolesForTarget(f.Path)[0].Name
		}
		md := touched[role]
		if md == nil {
			var err error
			if md, err = r.readTargets(role); err != nil {
				return nil, fmt.Errorf("update %s: %w", f.Path, err)
			}
			touched[role] = md
		}
		if f.Data == nil {
			delete(md.Signed.Targets, f.Path)
		} else {
			md.Signed.Targets[f.Path] = targetFile(f)
		}
	}
	stats := &UpdateStats{}
	var changed []int
	for role, md := range touched {
		md.Signed.Version++
		md.Signed.Expires = r.expires(r.expiry.Targets)
		l, n, err := r.writeTargets(role, md)
		if err != nil {
			return nil, err
		}
		stats.add(n)
		i := r.leafIndex[role]
		h, err := l.Hash()
		if err != nil {
			return nil, err
		}
		r.leaves[i] = l
		if err := r.tree.Set(i, h); err != nil {
			return nil, err
		}
		changed = append(changed, i)
	}
	slices.Sort(changed)
	if err := r.commit(stats, changed); err != nil {
		return nil, err
	}
	stats.Roles = len(touched)
	stats.Duration = time.Since(start)
	return stats, nil
}

// RootVersion is the version of the repository's current root metadata.
func (r *Repository) RootVersion() int64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.root.Signed.Version
}

// TreeVersion is the version of the current snapshot tree (and timestamp).
func (r *Repository) TreeVersion() int64 {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.tsVersion
}

// ProofFor returns the canonical JSON proof file of role in the current tree.
func (r *Repository) ProofFor(role string) ([]byte, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.proofAt(r.tsVersion, role)
}

// ProofAt returns the proof file of role in tree version, if that tree is still served.
func (r *Repository) ProofAt(version int64, role string) ([]byte, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.proofAt(version, role)
}

func (r *Repository) proofAt(version int64, role string) ([]byte, error) {
	var t *servedTree
	for i := range r.served {
		if r.served[i].version == version {
			t = &r.served[i]
		}
	}
	if t == nil {
		return nil, fmt.Errorf("%w: tree %d is not among the %d trees served", ErrNotFound, version, len(r.served))
	}
	i, ok := t.index[role]
	if !ok {
		return nil, fmt.Errorf("%w: role %.70q is not in the snapshot tree", ErrNotFound, role)
	}
	steps, err := t.tree.Proof(i)
	if err != nil {
		return nil, err
	}
	p := Proof{Leaf: t.leaves[i], LeafIndex: uint64(i), TreeSize: uint64(t.tree.Size()), TreeVersion: t.version,
		Path: make([]string, len(steps)), Directions: make([]string, len(steps))}
	for j, s := range steps {
		p.Path[j] = hex.EncodeToString(s.Sibling[:])
		p.Directions[j] = string(rune(s.Dir))
	}
	return p.encode()
}
