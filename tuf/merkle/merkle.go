package merkle

import (
	"crypto/sha256"
	"errors"
	"fmt"
)

// HashSize is the size of every node hash.
const HashSize = sha256.Size

// MaxDepth bounds proof length: 2^64 leaves cannot exist, so a longer path is hostile.
const MaxDepth = 64

// Hash is one node of the tree.
type Hash [HashSize]byte

const (
	leafPrefix = 0x00
	nodePrefix = 0x01
)

// LeafHash returns SHA-256(0x00 || data).
func LeafHash(data []byte) Hash {
	h := sha256.New()
	h.Write([]byte{leafPrefix})
	h.Write(data)
	var out Hash
	h.Sum(out[:0])
	return out
}

// NodeHash returns SHA-256(0x01 || left || right).
func NodeHash(left, right Hash) Hash {
	var buf [1 + 2*HashSize]byte
	buf[0] = nodePrefix
	copy(buf[1:], left[:])
	copy(buf[1+HashSize:], right[:])
	return sha256.Sum256(buf[:])
}

// Direction says on which side of the running hash a proof's sibling sits.
type Direction byte

const (
	// Left: the sibling is the left child, parent = NodeHash(sibling, current).
	Left Direction = 'L'
	// Right: the sibling is the right child, parent = NodeHash(current, sibling).
	Right Direction = 'R'
)

// Step is one element of an inclusion proof, ordered from the leaf towards the root.
type Step struct {
	Sibling Hash
	Dir     Direction
}

// Tree holds every level of the tree; levels[0] are the leaf hashes, the last level the root.
type Tree struct {
	levels [][]Hash
}

// New builds a tree over leaf hashes (already domain-separated with LeafHash).
func New(leaves []Hash) (*Tree, error) {
	if len(leaves) == 0 {
		return nil, errors.New("merkle: a tree needs at least one leaf")
	}
	t := &Tree{levels: [][]Hash{append([]Hash(nil), leaves...)}}
	for cur := t.levels[0]; len(cur) > 1; {
		next := make([]Hash, (len(cur)+1)/2)
		for i := range next {
			next[i] = parent(cur, 2*i)
		}
		t.levels = append(t.levels, next)
		cur = next
	}
	return t, nil
}

// parent computes the node above level[i] (i even): the hash of the pair, or the unpaired last
// node promoted as is.
func parent(level []Hash, i int) Hash {
	if i+1 < len(level) {
		return NodeHash(level[i], level[i+1])
	}
	return level[i]
}

// Size is the number of leaves.
func (t *Tree) Size() int { return len(t.levels[0]) }

// Root is the Merkle Tree Hash.
func (t *Tree) Root() Hash { return t.levels[len(t.levels)-1][0] }

// Leaf returns leaf hash i.
func (t *Tree) Leaf(i int) Hash { return t.levels[0][i] }

// Set replaces leaf i and rehashes its path to the root.
func (t *Tree) Set(i int, leaf Hash) error {
	if i < 0 || i >= t.Size() {
		return fmt.Errorf("merkle: leaf index %d outside tree of %d leaves", i, t.Size())
	}
	t.levels[0][i] = leaf
	for l := 0; l+1 < len(t.levels); l++ {
		i &^= 1
		t.levels[l+1][i/2] = parent(t.levels[l], i)
		i /= 2
	}
	return nil
}

// Proof returns the inclusion proof of leaf i, leaf to root.
func (t *Tree) Proof(i int) ([]Step, error) {
	if i < 0 || i >= t.Size() {
		return nil, fmt.Errorf("merkle: leaf index %d outside tree of %d leaves", i, t.Size())
	}
	var steps []Step
	for l := 0; l+1 < len(t.levels); l++ {
		level := t.levels[l]
		if sib := i ^ 1; sib < len(level) {
			d := Right
			if i&1 == 1 {
				d = Left
			}
			steps = append(steps, Step{Sibling: level[sib], Dir: d})
		}
		i /= 2
	}
	return steps, nil
}

// Directions returns the directions a proof for leaf index of a tree of size leaves must have,
// so that a verifier can bind a proof to a position and reject reordered paths.
func Directions(index, size uint64) ([]Direction, error) {
	if size == 0 || index >= size {
		return nil, fmt.Errorf("merkle: leaf index %d outside tree of %d leaves", index, size)
	}
	var dirs []Direction
	for n := size; n > 1; n = (n + 1) / 2 {
		if sib := index ^ 1; sib < n {
			if index&1 == 1 {
				dirs = append(dirs, Left)
			} else {
				dirs = append(dirs, Right)
			}
		}
		index /= 2
	}
	return dirs, nil
}

// RootFromProof folds a proof over a leaf hash and returns the root it implies.
func RootFromProof(leaf Hash, steps []Step) (Hash, error) {
	if len(steps) > MaxDepth {
		return Hash{}, fmt.Errorf("merkle: proof has %d steps, more than %d", len(steps), MaxDepth)
	}
	cur := leaf
	for i, s := range steps {
		switch s.Dir {
		case Left:
			cur = NodeHash(s.Sibling, cur)
		case Right:
			cur = NodeHash(cur, s.Sibling)
		default:
			return Hash{}, fmt.Errorf("merkle: proof step %d: direction %q is neither L nor R", i, s.Dir)
		}
	}
	return cur, nil
}

// Verify checks that leaf sits at index in a tree of size leaves whose root is root: the
// directions must be exactly those of that position and the folded hash must equal root.
func Verify(leaf Hash, index, size uint64, steps []Step, root Hash) error {
	want, err := Directions(index, size)
	if err != nil {
		return err
	}
	if len(want) != len(steps) {
		return fmt.Errorf("merkle: proof has %d steps, leaf %d of %d needs %d", len(steps), index, size, len(want))
	}
	for i := range want {
		if steps[i].Dir != want[i] {
			return fmt.Errorf("merkle: proof step %d goes %c, leaf %d of %d needs %c", i, steps[i].Dir, index, size, want[i])
		}
	}
	got, err := RootFromProof(leaf, steps)
	if err != nil {
		return err
	}
	if got != root {
		return fmt.Errorf("merkle: proof leads to root %x, not the signed root %x", got[:8], root[:8])
	}
	return nil
}

// Clone returns an independent copy, so a served tree can stay fixed while the original is
// updated with Set.
func (t *Tree) Clone() *Tree {
	c := &Tree{levels: make([][]Hash, len(t.levels))}
	for i, l := range t.levels {
		c.levels[i] = append([]Hash(nil), l...)
	}
	return c
}
