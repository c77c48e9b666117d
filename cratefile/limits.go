package cratefile

// Limits bounds what Read accepts. A zero field takes its default from DefaultLimits, so
// callers can override one bound and keep the others.
type Limits struct {
	// MaxCompressed caps the bytes read from the .crate stream. crates.io accepts uploads of
	// 10 MB by default and raises that for a few crates; the default leaves room for those.
	MaxCompressed int64
	// MaxUnpacked caps the decompressed tar stream (headers, padding and file data), counted
	// as it is decompressed: this is what stops gzip bombs. crates.io's own unpack limit is
	// 512 MB. Read holds the files in memory, so this is also its memory bound.
	MaxUnpacked int64
	// MaxFileSize caps one file.
	MaxFileSize int64
	// MaxEntries caps the tar entries (files, directories and meta entries such as pax
	// global headers).
	MaxEntries int
	// MaxPathLen caps the length in bytes of an entry name as stored, prefix included.
	MaxPathLen int
	// MaxPathDepth caps the number of path elements below the <name>-<version>/ prefix.
	MaxPathDepth int
	// MaxManifest caps Cargo.toml. Normalized manifests are a few kilobytes; the largest
	// real ones (many features) stay well below 1 MiB.
	MaxManifest int64
	// AllowCaseCollisions accepts two paths that differ only in case (src/lib.rs and
	// src/Lib.rs). They are rejected by default: on a case-insensitive file system one
	// silently replaces the other, so what a reviewer reads is not what gets built.
	AllowCaseCollisions bool
}

// DefaultLimits returns the bounds Read uses for zero fields.
func DefaultLimits() Limits {
	return Limits{
		MaxCompressed: 50 << 20,
		MaxUnpacked:   512 << 20,
		MaxFileSize:   128 << 20,
		MaxEntries:    100_000,
		MaxPathLen:    1024,
		MaxPathDepth:  64,
		MaxManifest:   1 << 20,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	orDefault(&l.MaxCompressed, d.MaxCompressed)
	orDefault(&l.MaxUnpacked, d.MaxUnpacked)
	orDefault(&l.MaxFileSize, d.MaxFileSize)
	orDefault(&l.MaxEntries, d.MaxEntries)
	orDefault(&l.MaxPathLen, d.MaxPathLen)
	orDefault(&l.MaxPathDepth, d.MaxPathDepth)
	orDefault(&l.MaxManifest, d.MaxManifest)
	return l
}

func orDefault[T int | int64](v *T, def T) {
	if *v <= 0 {
		*v = def
	}
}
