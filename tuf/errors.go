package tuf

import "errors"

// Classes of verification failure; every error returned by Client and Auditor wraps one of
// these (with errors.Is) and names the file and values involved.
var (
	ErrSignature = errors.New("signature check failed")
	ErrExpired   = errors.New("metadata expired")
	ErrRollback  = errors.New("rollback detected")
	ErrMerkle    = errors.New("merkle proof does not match the signed root")
	ErrMismatch  = errors.New("content does not match signed metadata")
	ErrTooLarge  = errors.New("response too large")
	ErrNotFound  = errors.New("not found")
)

// MaxMetadataBytes bounds any metadata file the client or auditor reads.
const MaxMetadataBytes = 16 << 20
