package tuf

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/secure-systems-lab/go-securesystemslib/cjson"

	"github.com/cratewatch/cratewatch/tuf/merkle"
)

// Bounds on what the snapshot formats may hold; anything larger is hostile.
const (
	MaxRoleName   = 64
	MaxTreeSize   = 1 << 20
	MaxProofBytes = 64 << 10
	MaxDeltaBytes = 64 << 20
)

// Leaf is one leaf of the snapshot Merkle tree: the snapshot information of one targets role,
// i.e. its name, version, and the length and SHA-256 of the exact file the repository serves.
type Leaf struct {
	Name    string `json:"name"`
	Version int64  `json:"version"`
	Length  int64  `json:"length"`
	SHA256  string `json:"sha256"`
}

// leafJSON is the wire form of Leaf: hashes as a map, like TUF METAFILES.
type leafJSON struct {
	Name    string            `json:"name"`
	Version int64             `json:"version"`
	Length  int64             `json:"length"`
	Hashes  map[string]string `json:"hashes"`
}

func (l Leaf) MarshalJSON() ([]byte, error) {
	return json.Marshal(leafJSON{Name: l.Name, Version: l.Version, Length: l.Length, Hashes: map[string]string{"sha256": l.SHA256}})
}

func (l *Leaf) UnmarshalJSON(data []byte) error {
	var w leafJSON
	if err := strictUnmarshal(data, &w); err != nil {
		return err
	}
	if len(w.Hashes) != 1 || w.Hashes["sha256"] == "" {
		return errors.New(`leaf "hashes" must hold exactly one "sha256"`)
	}
	*l = Leaf{Name: w.Name, Version: w.Version, Length: w.Length, SHA256: w.Hashes["sha256"]}
	return l.validate()
}

func (l Leaf) validate() error {
	if err := validRoleName(l.Name); err != nil {
		return err
	}
	if l.Version < 1 {
		return fmt.Errorf("leaf %s: version %d is not positive", l.Name, l.Version)
	}
	if l.Length < 1 || l.Length > MaxMetadataBytes {
		return fmt.Errorf("leaf %s: length %d outside 1..%d", l.Name, l.Length, MaxMetadataBytes)
	}
	if b, err := hex.DecodeString(l.SHA256); err != nil || len(b) != 32 {
		return fmt.Errorf("leaf %s: sha256 %.70q is not 64 hex digits", l.Name, l.SHA256)
	}
	return nil
}

// validRoleName keeps role names safe to put in a URL path and a file name.
func validRoleName(name string) error {
	if name == "" || len(name) > MaxRoleName {
		return fmt.Errorf("role name %.70q: want 1 to %d characters", name, MaxRoleName)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return fmt.Errorf("role name %q: character %q not allowed", name, c)
		}
	}
	return nil
}

// Hash is the leaf's node hash: merkle.LeafHash of the leaf's canonical JSON.
func (l Leaf) Hash() (merkle.Hash, error) {
	data, err := l.appendCanonical(nil)
	if err != nil {
		return merkle.Hash{}, err
	}
	return merkle.LeafHash(data), nil
}

// appendCanonical appends the leaf's canonical JSON. The leaf's strings are validated to need no
// escaping (role name charset, hex digest), so the canonical form is a fixed template; this
// is what keeps serving a proof cheap (TestCanonicalEncodersMatchCJSON pins it to cjson).
func (l Leaf) appendCanonical(b []byte) ([]byte, error) {
	if err := l.validate(); err != nil {
		return nil, err
	}
	b = append(b, `{"hashes":{"sha256":"`...)
	b = append(b, l.SHA256...)
	b = append(b, `"},"length":`...)
	b = strconv.AppendInt(b, l.Length, 10)
	b = append(b, `,"name":"`...)
	b = append(b, l.Name...)
	b = append(b, `","version":`...)
	b = strconv.AppendInt(b, l.Version, 10)
	return append(b, '}'), nil
}

// encode returns the proof file's canonical JSON (keys in byte order, as cjson sorts them).
func (p *Proof) encode() ([]byte, error) {
	b := make([]byte, 0, 256+68*len(p.Path))
	b = append(b, `{"leaf_contents":`...)
	b, err := p.Leaf.appendCanonical(b)
	if err != nil {
		return nil, err
	}
	b = append(b, `,"leaf_index":`...)
	b = strconv.AppendUint(b, p.LeafIndex, 10)
	b = append(b, `,"merkle_path":[`...)
	for i, h := range p.Path {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(append(append(b, '"'), h...), '"')
	}
	b = append(b, `],"path_directions":[`...)
	for i, d := range p.Directions {
		if d != "L" && d != "R" {
			return nil, fmt.Errorf("proof for %s: direction %.10q", p.Leaf.Name, d)
		}
		if i > 0 {
			b = append(b, ',')
		}
		b = append(append(append(b, '"'), d...), '"')
	}
	b = append(b, `],"tree_size":`...)
	b = strconv.AppendUint(b, p.TreeSize, 10)
	b = append(b, `,"tree_version":`...)
	b = strconv.AppendInt(b, p.TreeVersion, 10)
	return append(b, '}'), nil
}

// Proof is the snapshot Merkle metadata of one role: its leaf and the path to the root.
type Proof struct {
	Leaf        Leaf     `json:"leaf_contents"`
	LeafIndex   uint64   `json:"leaf_index"`
	TreeSize    uint64   `json:"tree_size"`
	TreeVersion int64    `json:"tree_version"`
	Path        []string `json:"merkle_path"`
	Directions  []string `json:"path_directions"`
}

// ParseProof decodes a proof file and checks its shape (not yet its root).
func ParseProof(data []byte) (*Proof, error) {
	if len(data) > MaxProofBytes {
		return nil, fmt.Errorf("%w: proof is %d bytes, limit %d", ErrTooLarge, len(data), MaxProofBytes)
	}
	var p Proof
	if err := strictUnmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("proof: %w", err)
	}
	// A missing leaf_contents never reaches Leaf.UnmarshalJSON; validate what we got.
	if err := p.Leaf.validate(); err != nil {
		return nil, fmt.Errorf("proof: leaf_contents: %w", err)
	}
	if p.TreeSize == 0 || p.TreeSize > MaxTreeSize || p.LeafIndex >= p.TreeSize {
		return nil, fmt.Errorf("proof for %s: leaf %d of tree size %d out of range (max size %d)", p.Leaf.Name, p.LeafIndex, p.TreeSize, MaxTreeSize)
	}
	if p.TreeVersion < 1 {
		return nil, fmt.Errorf("proof for %s: tree version %d is not positive", p.Leaf.Name, p.TreeVersion)
	}
	if len(p.Path) != len(p.Directions) || len(p.Path) > merkle.MaxDepth {
		return nil, fmt.Errorf("proof for %s: %d hashes and %d directions (max %d)", p.Leaf.Name, len(p.Path), len(p.Directions), merkle.MaxDepth)
	}
	if _, err := p.steps(); err != nil {
		return nil, err
	}
	return &p, nil
}

func (p *Proof) steps() ([]merkle.Step, error) {
	steps := make([]merkle.Step, len(p.Path))
	for i, h := range p.Path {
		b, err := hex.DecodeString(h)
		if err != nil || len(b) != merkle.HashSize {
			return nil, fmt.Errorf("proof for %s: merkle_path[%d] %.70q is not %d hex digits", p.Leaf.Name, i, h, 2*merkle.HashSize)
		}
		copy(steps[i].Sibling[:], b)
		switch p.Directions[i] {
		case "L":
			steps[i].Dir = merkle.Left
		case "R":
			steps[i].Dir = merkle.Right
		default:
			return nil, fmt.Errorf("proof for %s: path_directions[%d] %.10q is neither \"L\" nor \"R\"", p.Leaf.Name, i, p.Directions[i])
		}
	}
	return steps, nil
}

// Verify checks the proof against a signed Merkle root.
func (p *Proof) Verify(root merkle.Hash) error {
	steps, err := p.steps()
	if err != nil {
		return err
	}
	lh, err := p.Leaf.Hash()
	if err != nil {
		return err
	}
	if err := merkle.Verify(lh, p.LeafIndex, p.TreeSize, steps, root); err != nil {
		return fmt.Errorf("%w: proof for %s (tree %d): %w", ErrMerkle, p.Leaf.Name, p.TreeVersion, err)
	}
	return nil
}

// Delta lists the leaves of tree TreeVersion that differ from tree TreeVersion-1 (all leaves
// for tree 1): what an auditor replays to rebuild every tree.
type Delta struct {
	TreeVersion int64         `json:"tree_version"`
	TreeSize    int           `json:"tree_size"`
	Changes     []DeltaChange `json:"changes"`
}

// DeltaChange is one changed leaf and its position.
type DeltaChange struct {
	Index int  `json:"index"`
	Leaf  Leaf `json:"leaf"`
}

// ParseDelta decodes a delta file and checks its shape.
func ParseDelta(data []byte) (*Delta, error) {
	if len(data) > MaxDeltaBytes {
		return nil, fmt.Errorf("%w: delta is %d bytes, limit %d", ErrTooLarge, len(data), MaxDeltaBytes)
	}
	var d Delta
	if err := strictUnmarshal(data, &d); err != nil {
		return nil, fmt.Errorf("delta: %w", err)
	}
	if d.TreeVersion < 1 || d.TreeSize < 1 || d.TreeSize > MaxTreeSize || len(d.Changes) > d.TreeSize {
		return nil, fmt.Errorf("delta of tree %d: size %d with %d changes out of range", d.TreeVersion, d.TreeSize, len(d.Changes))
	}
	prev := -1
	for _, c := range d.Changes {
		if err := c.Leaf.validate(); err != nil {
			return nil, fmt.Errorf("delta of tree %d: change at index %d: %w", d.TreeVersion, c.Index, err)
		}
		if c.Index <= prev || c.Index >= d.TreeSize {
			return nil, fmt.Errorf("delta of tree %d: change index %d not increasing within size %d", d.TreeVersion, c.Index, d.TreeSize)
		}
		prev = c.Index
	}
	return &d, nil
}

// strictUnmarshal decodes one JSON value, refusing unknown fields and trailing data so that
// two parsers can never read different things from the same bytes.
func strictUnmarshal(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("trailing data after JSON value")
	}
	return nil
}

// canonical encodes v as OLPC canonical JSON, the encoding TUF signs.
func canonical(v any) ([]byte, error) { return cjson.EncodeCanonical(v) }
