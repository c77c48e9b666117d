// Package merkle is the binary Merkle tree of cratewatch's TAP 16 snapshot: RFC 6962 shape and
// domain separation (0x00 before a leaf, 0x01 before two child hashes, SHA-256), with
// explicit left/right directions in inclusion proofs and O(log n) leaf replacement.
//
// The tree pairs nodes level by level and promotes an unpaired last node unchanged; this yields
// exactly RFC 6962's Merkle Tree Hash (split at the largest power of two below n) while letting
// one leaf change rewrite only the nodes on its path.
package merkle
