package tuf

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/theupdateframework/go-tuf/v2/metadata"

	"github.com/cratewatch/cratewatch/index"
	"github.com/cratewatch/cratewatch/tuf/merkle"
)

// Client limits.
const (
	MaxRootBytes      = 512 << 10
	MaxTimestampBytes = 16 << 10
	maxRootRotations  = 1024
	maxTreeRetries    = 3
)

// ClientState is what a client trusts between runs: the newest verified root and the
// versions it has seen, which is what defeats rollback and freeze attacks.
type ClientState struct {
	Root             json.RawMessage  `json:"root"`
	TimestampVersion int64            `json:"timestamp_version"`
	TimestampKeyIDs  []string         `json:"timestamp_keyids,omitempty"`
	Roles            map[string]int64 `json:"roles"`
}

// NewClientState starts trust from a root.json obtained out of band; it must be signed by a
// threshold of its own root keys.
func NewClientState(rootJSON []byte) (*ClientState, error) {
	root, err := parseRoot(rootJSON, "trusted root")
	if err != nil {
		return nil, err
	}
	if err := root.VerifyDelegate(metadata.ROOT, root); err != nil {
		return nil, fmt.Errorf("trusted root: %w: %w", ErrSignature, err)
	}
	return &ClientState{Root: rootJSON, Roles: map[string]int64{}}, nil
}

// LoadClientState reads a state file written by Save.
func LoadClientState(path string) (*ClientState, error) {
	data, err := readBounded(path, MaxMetadataBytes)
	if err != nil {
		return nil, fmt.Errorf("client state: %w", err)
	}
	var s ClientState
	if err := json.Unmarshal(data, &s); err != nil {
		return nil, fmt.Errorf("client state %s: %w", path, err)
	}
	if s.Roles == nil {
		s.Roles = map[string]int64{}
	}
	if _, err := parseRoot(s.Root, path); err != nil {
		return nil, err
	}
	return &s, nil
}

// Save writes the state atomically.
func (s *ClientState) Save(path string) error {
	data, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return writeFile(path, data)
}

func parseRoot(data []byte, what string) (*metadata.Metadata[metadata.RootType], error) {
	if len(data) > MaxRootBytes {
		return nil, fmt.Errorf("%s: %w: %d bytes, limit %d", what, ErrTooLarge, len(data), MaxRootBytes)
	}
	r, err := new(metadata.Metadata[metadata.RootType]).FromBytes(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if err := checkKeys(r.Signed.Keys); err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	return r, nil
}

// parseTargets decodes a targets role and checks the keys it delegates to.
func parseTargets(data []byte, what string) (*metadata.Metadata[metadata.TargetsType], error) {
	md, err := new(metadata.Metadata[metadata.TargetsType]).FromBytes(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", what, err)
	}
	if d := md.Signed.Delegations; d != nil {
		if err := checkKeys(d.Keys); err != nil {
			return nil, fmt.Errorf("%s: delegations: %w", what, err)
		}
	}
	return md, nil
}

// Client verifies crates from a mirror that serves the index and its TUF metadata.
type Client struct {
	MetadataURL    string // base URL of the metadata (Handler), ending in "/"
	IndexURL       string // base URL of the sparse index (config.json, index files), ending in "/"
	HTTP           *http.Client
	RequestTimeout time.Duration
	MaxCrateBytes  int64
	Now            func() time.Time
	State          *ClientState // updated in place after a successful verification
}

// Result is what a verification established, and what it cost.
type Result struct {
	Name             string           `json:"name"`
	Version          string           `json:"version"`
	Cksum            string           `json:"cksum"`
	Yanked           bool             `json:"yanked"`
	IndexPath        string           `json:"index_path"`
	Bin              string           `json:"bin"`
	DownloadURL      string           `json:"download_url,omitempty"`
	RootVersion      int64            `json:"root_version"`
	TimestampVersion int64            `json:"timestamp_version"`
	MetadataBytes    int64            `json:"metadata_bytes"` // timestamp, proofs, targets roles, new roots
	IndexBytes       int64            `json:"index_bytes"`    // index file and config.json
	CrateBytes       int64            `json:"crate_bytes"`
	Fetched          map[string]int64 `json:"fetched"` // bytes per URL
}

func (c *Client) fetcher() *fetcher {
	h := c.HTTP
	if h == nil {
		h = &http.Client{Timeout: 5 * time.Minute}
	}
	t := c.RequestTimeout
	if t == 0 {
		t = 60 * time.Second
	}
	return &fetcher{http: h, timeout: t, count: map[string]int64{}}
}

func (c *Client) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// trustedRepo is the verified view of the repository at one tree.
type trustedRepo struct {
	root        *metadata.Metadata[metadata.RootType]
	rootJSON    []byte
	tsVersion   int64
	tsKeyIDs    []string
	treeRoot    merkle.Hash
	treeVersion int64
}

// updateRoot walks N+1.root.json from the trusted root, each signed by a threshold of the
// previous root's keys and of its own, and returns the newest.
func updateRoot(ctx context.Context, f *fetcher, base string, trustedJSON []byte, now time.Time) (*metadata.Metadata[metadata.RootType], []byte, error) {
	trusted, err := parseRoot(trustedJSON, "trusted root")
	if err != nil {
		return nil, nil, err
	}
	for range maxRootRotations {
		next, data, err := nextRoot(ctx, f, base, trusted)
		if err != nil {
			return nil, nil, err
		}
		if next == nil {
			break
		}
		trusted, trustedJSON = next, data
	}
	if trusted.Signed.IsExpired(now) {
		return nil, nil, fmt.Errorf("root version %d: %w at %s", trusted.Signed.Version, ErrExpired, trusted.Signed.Expires.Format(time.RFC3339))
	}
	return trusted, trustedJSON, nil
}

// nextRoot fetches and verifies the root after trusted; nil when there is none.
func nextRoot(ctx context.Context, f *fetcher, base string, trusted *metadata.Metadata[metadata.RootType]) (*metadata.Metadata[metadata.RootType], []byte, error) {
	n := trusted.Signed.Version + 1
	name := fmt.Sprintf("%d.root.json", n)
	data, err := f.get(ctx, base+name, MaxRootBytes)
	if errors.Is(err, ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	next, err := parseRoot(data, name)
	if err != nil {
		return nil, nil, err
	}
	if err := trusted.VerifyDelegate(metadata.ROOT, next); err != nil {
		return nil, nil, fmt.Errorf("%s: %w: not signed by a threshold of root %d's keys: %w", name, ErrSignature, trusted.Signed.Version, err)
	}
	if err := next.VerifyDelegate(metadata.ROOT, next); err != nil {
		return nil, nil, fmt.Errorf("%s: %w: not signed by a threshold of its own root keys: %w", name, ErrSignature, err)
	}
	if next.Signed.Version != n {
		return nil, nil, fmt.Errorf("%s: %w: holds root version %d", name, ErrRollback, next.Signed.Version)
	}
	return next, data, nil
}

// verifyTimestamp checks a timestamp's signatures against root, its expiry, and extracts the
// Merkle root it signs.
func verifyTimestamp(root *metadata.Metadata[metadata.RootType], data []byte, what string, now time.Time) (*metadata.Metadata[metadata.TimestampType], merkle.Hash, int64, error) {
	if len(data) > MaxTimestampBytes {
		return nil, merkle.Hash{}, 0, fmt.Errorf("%s: %w: %d bytes", what, ErrTooLarge, len(data))
	}
	ts, err := new(metadata.Metadata[metadata.TimestampType]).FromBytes(data)
	if err != nil {
		return nil, merkle.Hash{}, 0, fmt.Errorf("%s: %w", what, err)
	}
	if err := root.VerifyDelegate(metadata.TIMESTAMP, ts); err != nil {
		return nil, merkle.Hash{}, 0, fmt.Errorf("%s version %d: %w: not signed by a threshold of root %d's timestamp keys: %w", what, ts.Signed.Version, ErrSignature, root.Signed.Version, err)
	}
	if !now.IsZero() && ts.Signed.IsExpired(now) {
		return nil, merkle.Hash{}, 0, fmt.Errorf("%s version %d: %w at %s (now %s): the mirror may be replaying old metadata (freeze attack)",
			what, ts.Signed.Version, ErrExpired, ts.Signed.Expires.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	treeRoot, treeVersion, err := timestampTree(ts)
	if err != nil {
		return nil, merkle.Hash{}, 0, fmt.Errorf("%s: %w", what, err)
	}
	return ts, treeRoot, treeVersion, nil
}

func (c *Client) refresh(ctx context.Context, f *fetcher) (*trustedRepo, error) {
	if c.State == nil {
		return nil, errors.New("client has no trusted state: start from NewClientState(root.json)")
	}
	now := c.now()
	root, rootJSON, err := updateRoot(ctx, f, c.MetadataURL, c.State.Root, now)
	if err != nil {
		return nil, err
	}
	data, err := f.get(ctx, c.MetadataURL+"timestamp.json", MaxTimestampBytes)
	if err != nil {
		return nil, err
	}
	ts, treeRoot, treeVersion, err := verifyTimestamp(root, data, "timestamp.json", now)
	if err != nil {
		return nil, err
	}
	keys := slices.Sorted(slices.Values(root.Signed.Roles[metadata.TIMESTAMP].KeyIDs))
	prevVersion, prevRoles := c.State.TimestampVersion, c.State.Roles
	if !slices.Equal(keys, c.State.TimestampKeyIDs) {
		// New timestamp keys: forget versions they vouched for (TUF fast-forward recovery).
		prevVersion, prevRoles = 0, nil
	}
	if ts.Signed.Version < prevVersion {
		return nil, fmt.Errorf("timestamp.json: %w: version %d is older than version %d already trusted", ErrRollback, ts.Signed.Version, prevVersion)
	}
	if prevRoles == nil {
		c.State.Roles = map[string]int64{}
	}
	return &trustedRepo{root: root, rootJSON: rootJSON, tsVersion: ts.Signed.Version, tsKeyIDs: keys, treeRoot: treeRoot, treeVersion: treeVersion}, nil
}

// errStaleTree says the repository published a new tree while we read it; retry.
var errStaleTree = errors.New("tree changed during verification")

// verifyRole fetches and verifies role's proof against the tree and then the role itself.
func (c *Client) verifyRole(ctx context.Context, f *fetcher, tr *trustedRepo, role string, verifySig func(*metadata.Metadata[metadata.TargetsType]) error) (*metadata.Metadata[metadata.TargetsType], error) {
	pname := fmt.Sprintf("snapshot/%d/%s.proof.json", tr.treeVersion, role)
	data, err := f.get(ctx, c.MetadataURL+pname, MaxProofBytes)
	if errors.Is(err, ErrNotFound) {
		// The repository published so many trees since our timestamp that it stopped serving it.
		return nil, fmt.Errorf("%w: %w", errStaleTree, err)
	}
	if err != nil {
		return nil, err
	}
	p, err := ParseProof(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pname, err)
	}
	if p.TreeVersion != tr.treeVersion {
		return nil, fmt.Errorf("%s: %w: proof is from tree %d but timestamp signs tree %d (mix-and-match)", pname, ErrMerkle, p.TreeVersion, tr.treeVersion)
	}
	if p.Leaf.Name != role {
		return nil, fmt.Errorf("%s: %w: proves role %q", pname, ErrMerkle, p.Leaf.Name)
	}
	if err := p.Verify(tr.treeRoot); err != nil {
		return nil, fmt.Errorf("%s: %w", pname, err)
	}
	if prev := c.State.Roles[role]; p.Leaf.Version < prev {
		return nil, fmt.Errorf("%s: %w: %s version %d is older than version %d already trusted", pname, ErrRollback, role, p.Leaf.Version, prev)
	}
	fname := roleFile(role, p.Leaf.Version)
	data, err = f.get(ctx, c.MetadataURL+fname, p.Leaf.Length)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(data)
	if int64(len(data)) != p.Leaf.Length || hex.EncodeToString(sum[:]) != p.Leaf.SHA256 {
		return nil, fmt.Errorf("%s: %w: %d bytes with sha256 %x, the snapshot tree says %d bytes with sha256 %s", fname, ErrMismatch, len(data), sum, p.Leaf.Length, p.Leaf.SHA256)
	}
	md, err := parseTargets(data, fname)
	if err != nil {
		return nil, err
	}
	if err := verifySig(md); err != nil {
		return nil, fmt.Errorf("%s: %w: %w", fname, ErrSignature, err)
	}
	if md.Signed.Version != p.Leaf.Version {
		return nil, fmt.Errorf("%s: %w: holds version %d", fname, ErrMismatch, md.Signed.Version)
	}
	if md.Signed.IsExpired(c.now()) {
		return nil, fmt.Errorf("%s: %w at %s", fname, ErrExpired, md.Signed.Expires.Format(time.RFC3339))
	}
	return md, nil
}

// verifiedTargets is the verified targets metadata needed for one crate.
type verifiedTargets struct {
	tr       *trustedRepo
	top, bin *metadata.Metadata[metadata.TargetsType]
	binName  string
}

func (c *Client) verifyTargets(ctx context.Context, f *fetcher, indexPath string) (*verifiedTargets, error) {
	var lastErr error
	for range maxTreeRetries {
		tr, err := c.refresh(ctx, f)
		if err != nil {
			return nil, err
		}
		top, err := c.verifyRole(ctx, f, tr, metadata.TARGETS, func(md *metadata.Metadata[metadata.TargetsType]) error {
			return tr.root.VerifyDelegate(metadata.TARGETS, md)
		})
		if errors.Is(err, errStaleTree) {
			lastErr = err
			continue
		}
		if err != nil {
			return nil, err
		}
		d := top.Signed.Delegations
		if d == nil || d.SuccinctRoles == nil {
			return nil, fmt.Errorf("targets.json version %d: no succinct_roles delegation", top.Signed.Version)
		}
		if sr := d.SuccinctRoles; sr.BitLength < 1 || sr.BitLength > maxBinBits || validRoleName(sr.NamePrefix) != nil {
			return nil, fmt.Errorf("targets.json version %d: succinct_roles bit_length %d (want 1..%d) or name_prefix %.70q invalid", top.Signed.Version, sr.BitLength, maxBinBits, sr.NamePrefix)
		}
		binName := d.SuccinctRoles.GetRolesForTarget(indexPath)[0].Name
		bin, err := c.verifyRole(ctx, f, tr, binName, func(md *metadata.Metadata[metadata.TargetsType]) error {
			return top.VerifyDelegate(binName, md)
		})
		if errors.Is(err, errStaleTree) {
			lastErr = err
			continue
		}
		if err != nil {
			return nil, err
		}
		return &verifiedTargets{tr: tr, top: top, bin: bin, binName: binName}, nil
	}
	return nil, fmt.Errorf("repository kept changing during %d attempts: %w", maxTreeRetries, lastErr)
}

// Verify establishes that version vers of crate name (the newest unyanked one if vers is
// empty) is what the repository signed: its index file matches the signed target, and the
// .crate downloaded through config.json's dl matches the checksum of the verified index line.
// With fetchCrate false the .crate download is skipped. On success the state is advanced.
func (c *Client) Verify(ctx context.Context, name, vers string, fetchCrate bool) (*Result, error) {
	if err := index.ValidName(name); err != nil {
		return nil, err
	}
	f := c.fetcher()
	indexPath := index.Path(name)
	vt, err := c.verifyTargets(ctx, f, indexPath)
	if err != nil {
		return nil, err
	}
	res := &Result{Name: name, IndexPath: indexPath, Bin: vt.binName, RootVersion: vt.tr.root.Signed.Version, TimestampVersion: vt.tr.tsVersion}
	metaBytes := sumFetched(f.count)
	target, ok := vt.bin.Signed.Targets[indexPath]
	if !ok {
		return nil, fmt.Errorf("crate %s: %w: no target %s in %s version %d", name, ErrNotFound, indexPath, vt.binName, vt.bin.Signed.Version)
	}
	idx, err := c.getTarget(ctx, f, c.IndexURL+indexPath, "index file "+indexPath, target)
	if err != nil {
		return nil, err
	}
	line, err := findVersion(indexPath, idx, name, vers)
	if err != nil {
		return nil, err
	}
	res.Version, res.Cksum, res.Yanked = line.Vers, strings.ToLower(line.Cksum), line.Yanked
	if fetchCrate {
		cfgTarget, ok := vt.top.Signed.Targets[configTarget]
		if !ok {
			return nil, fmt.Errorf("targets.json version %d: %w: no target config.json", vt.top.Signed.Version, ErrNotFound)
		}
		cfg, err := c.getTarget(ctx, f, c.IndexURL+configTarget, "config.json", cfgTarget)
		if err != nil {
			return nil, err
		}
		res.IndexBytes = sumFetched(f.count) - metaBytes
		if res.DownloadURL, err = downloadURL(cfg, line.Name, line.Vers, res.Cksum); err != nil {
			return nil, err
		}
		max := c.MaxCrateBytes
		if max == 0 {
			max = 64 << 20
		}
		crate, err := f.get(ctx, res.DownloadURL, max)
		if err != nil {
			return nil, fmt.Errorf("crate %s %s: %w", line.Name, line.Vers, err)
		}
		sum := sha256.Sum256(crate)
		if got := hex.EncodeToString(sum[:]); got != res.Cksum {
			return nil, fmt.Errorf("crate %s %s from %s: %w: sha256 %s, the verified index line says %s", line.Name, line.Vers, res.DownloadURL, ErrMismatch, got, res.Cksum)
		}
		res.CrateBytes = int64(len(crate))
	} else {
		res.IndexBytes = sumFetched(f.count) - metaBytes
	}
	res.MetadataBytes = metaBytes
	res.Fetched = f.count
	c.State.Root = vt.tr.rootJSON
	c.State.TimestampVersion = vt.tr.tsVersion
	c.State.TimestampKeyIDs = vt.tr.tsKeyIDs
	c.State.Roles[metadata.TARGETS] = vt.top.Signed.Version
	c.State.Roles[vt.binName] = vt.bin.Signed.Version
	return res, nil
}

func (c *Client) getTarget(ctx context.Context, f *fetcher, url, what string, t *metadata.TargetFiles) ([]byte, error) {
	if len(t.Hashes["sha256"]) != sha256.Size {
		return nil, fmt.Errorf("%s: signed target has no sha256", what)
	}
	if t.Length < 0 || t.Length > maxIndexFile {
		return nil, fmt.Errorf("%s: signed length %d outside 0..%d", what, t.Length, maxIndexFile)
	}
	data, err := f.get(ctx, url, t.Length)
	if errors.Is(err, ErrTooLarge) {
		return nil, fmt.Errorf("%s: %w: longer than the signed %d bytes: %w", what, ErrMismatch, t.Length, err)
	}
	if err != nil {
		return nil, err
	}
	if err := t.VerifyLengthHashes(data); err != nil {
		return nil, fmt.Errorf("%s: %w: %d bytes differ from the signed target (%d bytes): %w", what, ErrMismatch, len(data), t.Length, err)
	}
	return data, nil
}

func sumFetched(m map[string]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}
