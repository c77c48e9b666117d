package store

import (
	"context"
	"crypto/sha256"
	"errors"
	"time"

	"github.com/cratewatch/cratewatch/advisory"
	"github.com/cratewatch/cratewatch/index"
)

// ErrNotFound is returned when the store has no such crate or version.
var ErrNotFound = errors.New("not found")

// Store is the persistence boundary. Every write is atomic: a batch is either fully applied
// or not at all, so a process killed at any point leaves a consistent store.
type Store interface {
	// IndexStates returns, per crate (keyed by lowercase name), what it was last ingested from.
	IndexStates(ctx context.Context) (map[string]IndexState, error)
	// ApplyIndex brings the given crates in line with their index files in one transaction,
	// touching only what changed; at is recorded as the time changes were seen.
	ApplyIndex(ctx context.Context, updates []CrateUpdate, at time.Time) (Changes, error)
	// MarkRemoved records that crates disappeared from the index; their rows are kept.
	MarkRemoved(ctx context.Context, names []string, at time.Time) error
	// Crate returns a crate with its versions (oldest first), their dependencies and yank history.
	Crate(ctx context.Context, name string) (*Crate, error)
	// ScanVersions streams every live version entry with its dependencies, in storage order,
	// for building in-memory graphs. Dependency features and registry are left out.
	ScanVersions(ctx context.Context, fn func(*ScannedVersion) error) error
	// PutAdvisories inserts new advisories and replaces changed ones, in one transaction.
	PutAdvisories(ctx context.Context, advs []*advisory.Advisory, at time.Time) (added, updated int, err error)
	// Advisories returns every stored advisory, sorted by ID.
	Advisories(ctx context.Context) ([]*advisory.Advisory, error)
	// PutFacts saves analysis results of one kind, replacing earlier ones for the same inputs.
	PutFacts(ctx context.Context, kind string, facts []Fact, at time.Time) error
	// FactInputs lists the inputs that have results of a kind.
	FactInputs(ctx context.Context, kind string) (map[string]bool, error)
	// ScanFacts streams the results of a kind, ordered by input.
	ScanFacts(ctx context.Context, kind string, fn func(Fact) error) error
	// Stats counts what the store holds (removed crates excluded).
	Stats(ctx context.Context) (Stats, error)
	// Dialect names the backend ("sqlite" or "postgres").
	Dialect() string
	Close() error
}

// IndexState is what a crate was last ingested from.
type IndexState struct {
	Hash       [sha256.Size]byte
	Validators index.Validators
	Removed    bool
}

// CrateUpdate is one crate's index file, parsed.
type CrateUpdate struct {
	Name       string // lowercase name, the index file's name
	Hash       [sha256.Size]byte
	Validators index.Validators
	Records    []index.Record
}

// Changes counts what an ApplyIndex wrote.
type Changes struct {
	Crates, VersionsAdded, VersionsUpdated, VersionsRemoved, YankFlips int
}

// Add accumulates counts.
func (c *Changes) Add(o Changes) {
	c.Crates += o.Crates
	c.VersionsAdded += o.VersionsAdded
	c.VersionsUpdated += o.VersionsUpdated
	c.VersionsRemoved += o.VersionsRemoved
	c.YankFlips += o.YankFlips
}

// Crate is what the store knows of one crate.
type Crate struct {
	Name      string     `json:"name"`
	FirstSeen time.Time  `json:"first_seen"`
	Removed   *time.Time `json:"removed,omitempty"`
	Versions  []Version  `json:"versions"`
}

// Version is one published version.
type Version struct {
	Num string `json:"version"`
	// Dup is non-zero for a repeated index line of the same version (see index.Record.Dup).
	Dup         int                 `json:"duplicate,omitempty"`
	Cksum       string              `json:"cksum"`
	Yanked      bool                `json:"yanked"`
	Links       string              `json:"links,omitempty"`
	RustVersion string              `json:"rust_version,omitempty"`
	Pubtime     string              `json:"pubtime,omitempty"`
	Features    map[string][]string `json:"features,omitempty"`
	FirstSeen   time.Time           `json:"first_seen"`
	Deps        []index.Dep         `json:"deps"`
	YankEvents  []YankEvent         `json:"yank_events,omitempty"`
}

// YankEvent records a yank or unyank seen by an ingest.
type YankEvent struct {
	Yanked bool      `json:"yanked"`
	Seen   time.Time `json:"seen"`
}

// Stats counts the store's contents. Versions counts index entries, Duplicates those that
// repeat a version of the same crate.
type Stats struct {
	Crates     int64 `json:"crates"`
	Versions   int64 `json:"versions"`
	Yanked     int64 `json:"yanked"`
	Deps       int64 `json:"dependencies"`
	Duplicates int64 `json:"duplicate_entries"`
	Advisories int64 `json:"advisories"`
}

// ScannedVersion is one version entry as ScanVersions gives it. Deps is reused between calls:
// copy what you keep.
type ScannedVersion struct {
	Crate  string
	Num    string
	Dup    int
	Yanked bool
	Deps   []index.Dep
}

// Fact is one analyser's result for one input (a crate file or directory), as JSON.
type Fact struct {
	Input   string
	Crate   string
	Version string
	Data    []byte
}
