package tuf

import (
	"errors"

	"github.com/theupdateframework/go-tuf/v2/metadata"
)

// PlainSizes are the sizes of the metadata plain TUF (without TAP 16) would make a client
// download for the same index, built and signed for real with the repository's keys, so the
// comparison with the snapshot Merkle tree is measured rather than estimated.
type PlainSizes struct {
	Timestamp         int64 // timestamp.json naming snapshot.json (version, length, sha256)
	SnapshotAllRoles  int64 // snapshot.json listing targets.json and every bin (version only)
	TargetsAllTargets int64 // one targets.json holding every index file target, no bins
	SnapshotOneRole   int64 // snapshot.json listing just that one targets.json
}

// PlainSizes builds the plain-TUF equivalents of the current repository over files (the same
// index it signs).
func (r *Repository) PlainSizes(files []IndexFile) (*PlainSizes, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if r.tree == nil || r.timestampK == nil || r.targetsK == nil {
		return nil, errors.New("plain sizes need a built repository opened with its keys")
	}
	exp := r.expires(r.expiry.Timestamp)
	snap := metadata.Snapshot(exp)
	for _, l := range r.leaves {
		snap.Signed.Meta[l.Name+".json"] = metadata.MetaFile(l.Version)
	}
	snapAll, err := signedSize(snap, r.timestampK)
	if err != nil {
		return nil, err
	}
	one := metadata.Snapshot(exp)
	one.Signed.Meta["targets.json"] = metadata.MetaFile(1)
	snapOne, err := signedSize(one, r.timestampK)
	if err != nil {
		return nil, err
	}
	ts := metadata.Timestamp(exp)
	ts.Signed.Version = r.tsVersion
	m := metadata.MetaFile(r.tsVersion)
	m.Length = snapAll
	m.Hashes = metadata.Hashes{"sha256": make([]byte, 32)}
	ts.Signed.Meta = map[string]*metadata.MetaFiles{snapshotMeta: m}
	tsSize, err := signedSize(ts, r.timestampK)
	if err != nil {
		return nil, err
	}
	all := metadata.Targets(r.expires(r.expiry.Targets))
	for _, f := range files {
		all.Signed.Targets[f.Path] = targetFile(f)
	}
	targetsAll, err := signedSize(all, r.targetsK)
	if err != nil {
		return nil, err
	}
	return &PlainSizes{Timestamp: tsSize, SnapshotAllRoles: snapAll, TargetsAllTargets: targetsAll, SnapshotOneRole: snapOne}, nil
}

func signedSize[T metadata.Roles](md *metadata.Metadata[T], s *Signer) (int64, error) {
	if _, err := md.Sign(s); err != nil {
		return 0, err
	}
	data, err := md.ToBytes(false)
	return int64(len(data)), err
}
