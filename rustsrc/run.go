package rustsrc

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/cratewatch/cratewatch/cratefile"
)

// FactsKind names rustsrc's per-crate facts among the analysis results a store keeps.
const FactsKind = "rustsrc-facts"

// Record is one analysed input as written to a JSON lines file: the facts, or why there are none.
type Record struct {
	Input   string  `json:"input"`
	Facts   *Facts  `json:"facts,omitempty"`
	Error   string  `json:"error,omitempty"`
	Seconds float64 `json:"seconds"`
}

// ExpandInputs turns command-line arguments into crate inputs: a .crate file, a crate directory
// (it has a Cargo.toml), or a directory of those (each *.crate file and each subdirectory with a
// Cargo.toml, one level down, sorted).
func ExpandInputs(args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		fi, err := os.Stat(a)
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", a, err)
		}
		if !fi.IsDir() {
			out = append(out, a)
			continue
		}
		if _, err := os.Stat(filepath.Join(a, "Cargo.toml")); err == nil {
			out = append(out, a)
			continue
		}
		ents, err := os.ReadDir(a)
		if err != nil {
			return nil, fmt.Errorf("input %s: %w", a, err)
		}
		n := len(out)
		for _, e := range ents {
			p := filepath.Join(a, e.Name())
			switch {
			case !e.IsDir() && strings.HasSuffix(e.Name(), ".crate"):
				out = append(out, p)
			case e.IsDir():
				if _, err := os.Stat(filepath.Join(p, "Cargo.toml")); err == nil {
					out = append(out, p)
				}
			}
		}
		if len(out) == n {
			return nil, fmt.Errorf("input %s: no Cargo.toml, .crate files or crate directories in it", a)
		}
		sort.Strings(out[n:])
	}
	return out, nil
}

// AnalyzePath opens a crate directory or .crate file with the cratefile package, loads it and
// returns its facts. Errors name the input.
func AnalyzePath(input string, lim CrateLimits) Record {
	start := time.Now()
	rec := Record{Input: input}
	var c *cratefile.Crate
	var err error
	var in CrateInput
	var rejected error
	if fi, serr := os.Stat(input); serr == nil && fi.IsDir() {
		if c, err = cratefile.OpenDir(input); err != nil {
			// A directory cratefile rejects (a symlink in it, usually) is still read, through an
			// os.Root so that no link leads outside it, by Cargo's conventions and without its
			// manifest; the rejection is kept as a problem.
			rejected = err
			var root *os.Root
			if root, err = os.OpenRoot(input); err == nil {
				defer root.Close()
				in = dirInput(input, root.FS())
			}
		} else {
			in = InputFromCrate(c)
		}
	} else if c, err = cratefile.Open(input, cratefile.DefaultLimits()); err == nil {
		in = InputFromCrate(c)
	}
	if err == nil {
		var cr *Crate
		cr, err = LoadCrate(in, lim)
		if err == nil {
			if rejected != nil {
				cr.Problems = append([]string{"read without its manifest: " + rejected.Error()}, cr.Problems...)
			}
			fa := cr.Facts()
			rec.Facts = &fa
		}
	}
	if err != nil {
		rec.Error = err.Error()
		if !strings.Contains(rec.Error, input) {
			rec.Error = input + ": " + rec.Error
		}
	}
	rec.Seconds = time.Since(start).Seconds()
	return rec
}

// AnalyzeAll analyses inputs on workers goroutines (<= 0: GOMAXPROCS), skipping those for which
// skip returns true, and calls emit from one goroutine at a time, in completion order. It stops
// early when ctx is cancelled and returns ctx.Err() then.
func AnalyzeAll(ctx context.Context, inputs []string, workers int, lim CrateLimits, skip func(string) bool, emit func(Record)) error {
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	jobs := make(chan string)
	results := make(chan Record)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for in := range jobs {
				results <- AnalyzePath(in, lim)
			}
		}()
	}
	go func() {
		defer close(jobs)
		for _, in := range inputs {
			if skip != nil && skip(in) {
				continue
			}
			select {
			case jobs <- in:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()
	for r := range results {
		emit(r)
	}
	return ctx.Err()
}

// maxRecordLine bounds one JSON line read back from a records file.
const maxRecordLine = 64 << 20

// ReadRecords reads a JSON lines file of Records. A truncated last line (an interrupted run) is
// ignored; any other bad line is an error naming its line number.
func ReadRecords(r io.Reader, name string, fn func(Record) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), maxRecordLine)
	line := 0
	var pending error
	for sc.Scan() {
		line++
		if pending != nil {
			return pending
		}
		b := sc.Bytes()
		if len(strings.TrimSpace(string(b))) == 0 {
			continue
		}
		var rec Record
		if err := json.Unmarshal(b, &rec); err != nil {
			pending = fmt.Errorf("%s line %d: %w", name, line, err)
			continue
		}
		if err := fn(rec); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// WriteText prints the facts for a person.
func (fa *Facts) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "%s %s\n", fa.Name, fa.Version)
	var targets []string
	for t, n := range fa.FilesByTarget {
		targets = append(targets, fmt.Sprintf("%s %d", t, n))
	}
	sort.Strings(targets)
	fmt.Fprintf(bw, "  source    %d .rs files (%s), %d bytes, %d lines, %d modules\n", fa.Files, strings.Join(targets, ", "), fa.Bytes, fa.Lines, len(fa.Modules))
	fmt.Fprintf(bw, "  syntax    %d items, %d fns, %d calls, %d macro calls, %d uses, %d string literals\n", fa.Items, fa.Fns, fa.Calls, fa.Macros, fa.Uses, fa.Strings)
	u := fa.Unsafe
	fmt.Fprintf(bw, "  unsafe    %d blocks, %d fns, %d impls, %d traits\n", u.Blocks, u.Fns, u.Impls, u.Traits)
	f := fa.FFI
	fmt.Fprintf(bw, "  ffi       %d extern blocks, %d foreign fns, %d exported fns, %d no_mangle", f.ExternBlocks, f.ExternFns, f.ExportedFns, f.NoMangle)
	if len(f.LinkNames) > 0 {
		fmt.Fprintf(bw, ", #[link] %s", strings.Join(f.LinkNames, " "))
	}
	if f.Links != "" {
		fmt.Fprintf(bw, ", links = %q", f.Links)
	}
	if f.SysName {
		fmt.Fprint(bw, ", -sys crate")
	}
	fmt.Fprintln(bw)
	if f.BuildScript != "" {
		fmt.Fprintf(bw, "  build     %s", f.BuildScript)
		if len(f.BuildTools) > 0 {
			fmt.Fprintf(bw, " using %s", strings.Join(f.BuildTools, ", "))
		}
		fmt.Fprintln(bw)
	}
	if len(f.Native) > 0 {
		var langs []string
		for l, n := range f.Native {
			langs = append(langs, fmt.Sprintf("%s %d files %d bytes", l, n.Files, n.Bytes))
		}
		sort.Strings(langs)
		fmt.Fprintf(bw, "  native    %s\n", strings.Join(langs, "; "))
	}
	var reasons []string
	for r := range fa.Skipped {
		reasons = append(reasons, r)
	}
	sort.Strings(reasons)
	for _, r := range reasons {
		fmt.Fprintf(bw, "  skipped   %d %s", fa.Skipped[r], r)
		if ex := fa.SkipExamples[r]; len(ex) > 0 {
			fmt.Fprintf(bw, " (e.g. %s)", ex[0])
		}
		fmt.Fprintln(bw)
	}
	for _, p := range fa.Problems {
		fmt.Fprintf(bw, "  problem   %s\n", p)
	}
	return bw.Flush()
}

// dirInput describes a crate directory without its manifest: name and version from the directory
// name (name-1.2.3), roots by Cargo's conventions.
func dirInput(dir string, fsys fs.FS) CrateInput {
	base := filepath.Base(dir)
	name, version := base, ""
	for i := len(base) - 1; i > 0; i-- {
		if base[i] == '-' && i+1 < len(base) && base[i+1] >= '0' && base[i+1] <= '9' {
			name, version = base[:i], base[i+1:]
			break
		}
	}
	return CrateInput{Name: name, Version: version, FS: fsys, Roots: DefaultRoots(fsys)}
}
